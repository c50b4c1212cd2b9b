/*
 * ASP.NET webshells: JScript.NET eval of request data (the China Chopper
 * ASPX one-liner), System.Diagnostics.Process started with request input,
 * and Behinder/Godzilla-style Assembly.Load of decrypted request bytes.
 * An ASPX page that starts a process with fixed arguments is not matched.
 */

rule webshell_aspx_eval_request
{
	meta:
		description = "ASPX page that evaluates request input (eval(Request...), China Chopper ASPX)"
		description_zh = "ASPX 页面执行请求参数 (eval(Request...)，中国菜刀 ASPX 一句话)"
		severity = "critical"
		reference = "https://www.mandiant.com/resources/blog/breaking-down-the-china-chopper-web-shell-part-i"
	strings:
		$eval = /eval\s*\(\s*Request\s*(\.\s*(Item|Form|QueryString|Params)\s*)?[\[\(]/ nocase
		$page = "<%@" 
	condition:
		$eval and $page
}

rule webshell_aspx_process_request
{
	meta:
		description = "ASPX page that starts a process with request input (System.Diagnostics.Process)"
		description_zh = "ASPX 页面用请求参数启动进程 (System.Diagnostics.Process)"
		severity = "critical"
		reference = "https://learn.microsoft.com/dotnet/api/system.diagnostics.process"
	strings:
		$page1 = "<%@" 
		$page2 = "runat=\"server\"" nocase
		$proc1 = "System.Diagnostics.Process" nocase
		$proc2 = "ProcessStartInfo" nocase
		$start = /\.\s*Start\s*\(/
		$req = /Request\s*(\.\s*(Form|QueryString|Item|Params))?\s*\[/ nocase
		$arg = /(Arguments|FileName)\s*=\s*[^;\n]{0,80}Request/ nocase
	condition:
		any of ($page*) and any of ($proc*) and $start and $req and $arg
}

rule webshell_aspx_assembly_loader
{
	meta:
		description = "ASPX page that loads an assembly from decrypted request bytes (Behinder/Godzilla style)"
		description_zh = "ASPX 页面从解密的请求数据加载程序集 (冰蝎/哥斯拉类)"
		severity = "critical"
		reference = "https://github.com/rebeyond/Behinder"
	strings:
		$page = "<%@"
		$load = /Assembly\s*\.\s*Load\s*\(/
		$crypt1 = "RijndaelManaged"
		$crypt2 = "CreateDecryptor"
		$req = /Request\s*\.\s*(BinaryRead|InputStream|Form|Item)/
	condition:
		$page and $load and any of ($crypt*) and $req
}
