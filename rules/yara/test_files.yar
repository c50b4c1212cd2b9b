/*
 * Test files: the EICAR anti-virus test file and ClamAV's test executable
 * (Debian clamav-testfiles). They prove that detection and quarantine work
 * end to end without handling real malware. The EICAR string is written in
 * hex so that this file is not itself an EICAR file.
 */

rule test_eicar
{
	meta:
		description = "EICAR anti-virus test file"
		description_zh = "EICAR 反病毒测试文件"
		severity = "low"
		reference = "https://www.eicar.org/download-anti-malware-testfile/"
	strings:
		$eicar = { 58 35 4F 21 50 25 40 41 50 5B 34 5C 50 5A 58 35 34 28 50 5E 29 37
		           43 43 29 37 7D 24 45 49 43 41 52 2D 53 54 41 4E 44 41 52 44 2D 41
		           4E 54 49 56 49 52 55 53 2D 54 45 53 54 2D 46 49 4C 45 21 24 48 2B
		           48 2A }
	condition:
		/* The standard: the file starts with the string and is at most
		 * 128 bytes (trailing white space allowed). A page that quotes
		 * the string in the middle of other text is not a test file. */
		$eicar at 0 and filesize <= 128
}

rule test_clamav_test_file
{
	meta:
		description = "ClamAV test executable (clam.exe) or a container that stores it uncompressed"
		description_zh = "ClamAV 测试程序 (clam.exe) 或未压缩存放它的容器文件"
		severity = "low"
		reference = "https://packages.debian.org/bookworm/clamav-testfiles"
	strings:
		/* The decoding stub at the entry point of clam.exe. */
		$stub = { BB 71 10 40 00 33 C0 50 50 8B F3 53 53 50 B0 29 40 30 04 66 AC 79
		          F9 BA 31 00 78 0D AD 50 FF 66 70 0E 1F BE 31 00 E9 E5 FF B4 09 CD
		          21 B4 4C CD 21 }
		$import = "CLAMessageBoxA"
		$marker = "[CLAMAV]"
		/* The same, as hex text (RTF objects) and base64 (HTML data: URIs). */
		$import_hex = "434c414d657373616765426f7841" nocase
		$import_b64 = "CLAMessageBoxA" base64
	condition:
		$stub or ($import and $marker) or $import_hex or $import_b64
}
