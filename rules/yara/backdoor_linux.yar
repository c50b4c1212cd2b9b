/*
 * Linux bots, backdoors and rootkits by the strings their public sources
 * and samples carry: Tsunami/Kaiten and Gafgyt IRC bots, Mirai, XorDDoS,
 * BPFDoor, and the Diamorphine, Reptile and libprocesshider rootkits.
 * Each rule needs several of a family's strings (or one that no other
 * software has) so that an article or a blocklist naming the family is
 * not enough.
 */

rule backdoor_tsunami_kaiten
{
	meta:
		description = "Tsunami/Kaiten IRC DDoS bot"
		description_zh = "Tsunami/Kaiten IRC 僵尸程序 (DDoS 后门)"
		severity = "critical"
		reference = "https://malpedia.caad.fkie.fraunhofer.de/details/elf.tsunami"
	strings:
		$a = "NOTICE %s :TSUNAMI"
		$b = "NOTICE %s :PAN <target>"
		$c = "NOTICE %s :UDP <target>"
		$d = "NOTICE %s :GETSPOOFS"
		$e = "NOTICE %s :Spoofs:"
		$f = "NOTICE %s :Kaiten"
		$g = ":TSUNAMI <target> <secs>"
		$h = "NOTICE %s :KILLALL"
	condition:
		2 of them
}

rule backdoor_gafgyt
{
	meta:
		description = "Gafgyt/BASHLITE IoT bot"
		description_zh = "Gafgyt/BASHLITE 物联网僵尸程序"
		severity = "critical"
		reference = "https://malpedia.caad.fkie.fraunhofer.de/details/elf.bashlite"
	strings:
		$a = "KILLATTK"
		$b = "LOLNOGTFO"
		$c = "GETLOCALIP"
		$d = "gayfgt"
		$e = "HTTPFLOOD"
		$f = "[Telnet] Infected"
	condition:
		3 of them
}

rule backdoor_mirai
{
	meta:
		description = "Mirai IoT bot"
		description_zh = "Mirai 物联网僵尸程序"
		severity = "critical"
		reference = "https://github.com/jgamblin/Mirai-Source-Code"
	strings:
		$u1 = "/bin/busybox MIRAI"
		$u2 = "MIRAI: applet not found"
		$u3 = "dvrHelper"
		$g1 = "/dev/watchdog"
		$g2 = "/dev/misc/watchdog"
		$g3 = "TSource Engine Query"
		$g4 = "/bin/busybox ECCHI"
		$g5 = "listening tun0"
	condition:
		any of ($u*) or 3 of ($g*)
}

rule backdoor_xorddos
{
	meta:
		description = "XorDDoS Linux bot (its XOR key)"
		description_zh = "XorDDoS Linux 僵尸程序 (异或密钥特征)"
		severity = "critical"
		reference = "https://malpedia.caad.fkie.fraunhofer.de/details/elf.xor_ddos"
	strings:
		$key = "BB2FA36AAA9541F0"
	condition:
		uint32(0) == 0x464c457f and $key
}

rule backdoor_bpfdoor
{
	meta:
		description = "BPFDoor passive backdoor (its mutex and pid files)"
		description_zh = "BPFDoor 被动后门 (互斥与 PID 文件特征)"
		severity = "critical"
		reference = "https://www.elastic.co/security-labs/a-peek-behind-the-bpfdoor"
	strings:
		$a = "/dev/shm/kdmtmpflush"
		$b = "/var/run/haldrund.pid"
		$c = "/var/run/hald-addon.pid"
	condition:
		any of them
}

rule rootkit_linux_lkm_userland
{
	meta:
		description = "Linux rootkit (Diamorphine, Reptile, libprocesshider)"
		description_zh = "Linux Rootkit (Diamorphine、Reptile、libprocesshider)"
		severity = "critical"
		reference = "https://github.com/m0nad/Diamorphine"
	strings:
		$d1 = "diamorphine_secret"
		$d2 = "diamorphine_init"
		$r1 = "/reptile/reptile_cmd"
		$r2 = "reptile_module"
		$r3 = "reptile_shell"
		$p1 = "process_to_filter"
		$p2 = "get_process_name"
		$p3 = "readdir"
	condition:
		any of ($d*) or any of ($r*) or ($p1 and $p2 and $p3)
}
