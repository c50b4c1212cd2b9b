/*
 * JSP / JSPX webshells: Runtime.exec or ProcessBuilder fed by request
 * parameters, and the AES class-loader shells of Behinder (冰蝎) and
 * Godzilla (哥斯拉), which receive encrypted Java classes and define them
 * at run time. A JSP that uses ClassLoader or Cipher alone is not matched:
 * the rules need the combination (define a class from decrypted request
 * bytes).
 */

rule webshell_jsp_exec_request
{
	meta:
		description = "JSP/JSPX page that runs a command taken from a request parameter (Runtime.exec / ProcessBuilder)"
		description_zh = "JSP/JSPX 页面执行请求参数中的命令 (Runtime.exec / ProcessBuilder)"
		severity = "critical"
		reference = "https://owasp.org/www-community/attacks/Command_Injection"
	strings:
		$direct = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(\s*request\s*\.\s*getParameter\s*\(/
		$exec = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/
		$pb = /new\s+ProcessBuilder\s*\(/
		$param = /request\s*\.\s*getParameter\s*\(/
		$jsp1 = "<%"
		$jsp2 = "<jsp:scriptlet>"
	condition:
		$direct or (($exec or $pb) and $param and any of ($jsp*))
}

rule webshell_jsp_behinder
{
	meta:
		description = "Behinder (冰蝎) JSP webshell: AES-encrypted Java classes defined by a custom ClassLoader"
		description_zh = "冰蝎 JSP Webshell：自定义 ClassLoader 加载 AES 加密的类"
		severity = "critical"
		reference = "https://github.com/rebeyond/Behinder"
	strings:
		$key = "e45e329feb5d925b"	/* md5("rebeyond")[0:16], the default key */
		$cl = /extends\s+ClassLoader/
		$define = "defineClass"
		$aes = /Cipher\s*\.\s*getInstance\s*\(\s*"AES/
		$k1 = /session\s*\.\s*putValue\s*\(\s*"u"/
		$k2 = /getReader\s*\(\s*\)\s*\.\s*readLine\s*\(\s*\)/
		$jsp1 = "<%"
		$jsp2 = "<jsp:"
	condition:
		any of ($jsp*) and ($key or ($cl and $define and $aes and any of ($k*)))
}

rule webshell_jsp_godzilla
{
	meta:
		description = "Godzilla (哥斯拉) JSP webshell: AES payload class kept in the session"
		description_zh = "哥斯拉 JSP Webshell：AES 加密载荷类保存在会话中"
		severity = "critical"
		reference = "https://github.com/BeichenDream/Godzilla"
	strings:
		$key = "3c6e0b8a9c15224a"	/* md5("key")[0:16], the default key */
		$cl = /extends\s+ClassLoader/
		$define = "defineClass"
		$aes = /Cipher\s*\.\s*getInstance\s*\(\s*"AES/
		$payload = /session\s*\.\s*(get|set)Attribute\s*\(\s*"payload"/
		$jsp1 = "<%"
		$jsp2 = "<jsp:"
	condition:
		any of ($jsp*) and ($key or ($cl and $define and $aes and $payload))
}
