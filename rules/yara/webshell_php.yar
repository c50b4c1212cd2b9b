/*
 * PHP webshells: code that runs what an HTTP request sends (eval/assert of
 * request variables, request-chosen functions), decoding chains that hide
 * such code, China Chopper one-liners, preg_replace with /e, and the
 * markers of the well-known kits (WSO, b374k, c99, r57).
 *
 * False positives chosen against: a page that merely reads $_POST or calls
 * base64_decode() is not matched; only executing request data, or eval of
 * a decoder's output, is. Security scanners that carry these kits'
 * names as signatures can match webshell_php_kit_marker.
 */

rule webshell_php_eval_request
{
	meta:
		description = "PHP code that evaluates request input (eval/assert/create_function of $_POST, $_GET, $_REQUEST or $_COOKIE)"
		description_zh = "PHP 代码执行请求参数 (eval/assert/create_function 执行 $_POST、$_GET、$_REQUEST 或 $_COOKIE)"
		severity = "critical"
		reference = "https://www.php.net/manual/en/function.eval.php"
	strings:
		$eval = /(eval|assert|create_function)\s*\(\s*(@\s*)?(stripslashes\s*\(\s*|trim\s*\(\s*)?\$_(POST|GET|REQUEST|COOKIE|SERVER)\s*\[/ nocase
		/* $_GET['f']($_POST['x']): the request names the function to call. */
		$varfunc = /\$_(POST|GET|REQUEST|COOKIE)\s*\[[^\]\n]{1,40}\]\s*\(\s*(@\s*)?\$_(POST|GET|REQUEST|COOKIE)/ nocase
	condition:
		any of them
}

rule webshell_php_china_chopper
{
	meta:
		description = "China Chopper PHP one-liner (a tiny file that evaluates one POST field)"
		description_zh = "中国菜刀 PHP 一句话木马"
		severity = "critical"
		reference = "https://www.mandiant.com/resources/blog/breaking-down-the-china-chopper-web-shell-part-i"
	strings:
		$php = "<?" 
		$one = /@?\s*(eval|assert)\s*\(\s*@?\s*\$_(POST|REQUEST)\s*\[\s*['"]?[A-Za-z0-9_]{1,32}['"]?\s*\]\s*\)/ nocase
	condition:
		filesize < 1024 and $php and $one
}

rule webshell_php_decode_eval
{
	meta:
		description = "PHP code that evaluates the output of a decoder (base64_decode, gzinflate, str_rot13 chains)"
		description_zh = "PHP 代码执行解码结果 (base64_decode、gzinflate、str_rot13 链)，常见于混淆的 Webshell"
		severity = "high"
		reference = "https://www.php.net/manual/en/function.base64-decode.php"
	strings:
		$chain = /(eval|assert)\s*\(\s*(@\s*)?(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|strrev|hex2bin|convert_uudecode)\s*\(/ nocase
	condition:
		$chain
}

rule webshell_php_preg_replace_e
{
	meta:
		description = "PHP preg_replace with the /e modifier fed by request input (code execution)"
		description_zh = "PHP preg_replace 使用 /e 修饰符并处理请求参数 (代码执行)"
		severity = "high"
		reference = "https://www.php.net/manual/en/reference.pcre.pattern.modifiers.php"
	strings:
		$pe = /preg_replace\s*\(\s*['"](\/|#|@|~|!)[^'"\n]{0,200}(\/|#|@|~|!)[imsxADSUXJu]{0,8}e[imsxADSUXJu]{0,8}['"]\s*,/
		$req = /\$_(POST|GET|REQUEST|COOKIE)\s*\[/
	condition:
		$pe and $req
}

rule webshell_php_kit_marker
{
	meta:
		description = "Marker of a well-known PHP webshell kit (WSO, b374k, c99, r57)"
		description_zh = "已知 PHP Webshell 工具包特征 (WSO、b374k、c99、r57)"
		severity = "critical"
		reference = "https://github.com/tennc/webshell"
	strings:
		$php = "<?php" nocase
		$wso1 = "wso_version" nocase
		$wso2 = "FilesMan"
		$wso3 = "WSOsetcookie"
		$b374k = "b374k" nocase
		$c99a = "c99shell" nocase
		$c99b = "c99_sess_put"
		$c99c = "c99ftpbrutecheck"
		$r57a = "r57shell" nocase
		$r57b = "r57_pwd_hash"
	condition:
		$php and any of ($wso*, $b374k, $c99*, $r57*)
}
