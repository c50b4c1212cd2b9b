/*
 * Reverse-shell one-liners in scripts, crontabs and dropped files: bash
 * /dev/tcp with an interactive shell, netcat -e, mkfifo pipelines, Python
 * socket + dup2 + pty/subprocess, Perl Socket + exec, PHP fsockopen, socat.
 *
 * False positives chosen against: bash's /dev/tcp alone is a common port
 * check ("timeout 1 bash -c '</dev/tcp/host/22'"), so it must come with an
 * interactive shell (-i) or with 0>&1; a Python client that opens a socket
 * is not matched without dup2 of its descriptors and a shell.
 */

rule revshell_bash_dev_tcp
{
	meta:
		description = "Reverse shell: interactive bash/sh redirected to /dev/tcp or /dev/udp"
		description_zh = "反弹 Shell：交互式 bash/sh 重定向到 /dev/tcp 或 /dev/udp"
		severity = "critical"
		reference = "https://www.gnu.org/software/bash/manual/html_node/Redirections.html"
	strings:
		$i = /(ba|z|k|da)?sh\s+-i\s*[0-9]*\s*[<>]\s*&?\s*\/dev\/(tcp|udp)\/[^\/\s]{1,64}\/[0-9]{1,5}/
		$dup = /\/dev\/(tcp|udp)\/[^\/\s]{1,64}\/[0-9]{1,5}\s+0\s*>\s*&\s*1/
		$loop = /\/dev\/tcp\/[^\/\s]{1,64}\/[0-9]{1,5}[^\n]{0,80}while\s+read\s+[a-z]+\s*;\s*do\s+\$[a-z]+\s+2\s*>\s*&\s*[0-9]/
	condition:
		any of them
}

rule revshell_netcat_exec
{
	meta:
		description = "Reverse or bind shell with netcat -e/-c running a shell"
		description_zh = "netcat -e/-c 执行 Shell 的反弹或绑定 Shell"
		severity = "critical"
		reference = "https://man.openbsd.org/nc"
	strings:
		$nc = /(^|[\s;|&'"`(])(nc|ncat|netcat|nc\.traditional)\s[^\n;|]{0,80}-[a-z]*[ec]\s*['"]?\/bin\/(ba|z|k|da)?sh/
	condition:
		$nc
}

rule revshell_mkfifo_pipeline
{
	meta:
		description = "Reverse shell through a named pipe (mkfifo /tmp/f; cat /tmp/f | sh -i | nc ...)"
		description_zh = "通过命名管道的反弹 Shell (mkfifo /tmp/f; cat /tmp/f | sh -i | nc ...)"
		severity = "critical"
		reference = "https://man7.org/linux/man-pages/man1/mkfifo.1.html"
	strings:
		$fifo = /mkfifo\s+\S+/
		$pipe = /\|\s*(\/bin\/)?(ba|z|k|da)?sh\s+-i\s*2\s*>\s*&\s*1\s*\|\s*(nc|ncat|netcat|openssl|telnet)\s/
	condition:
		$fifo and $pipe
}

rule revshell_python
{
	meta:
		description = "Python reverse shell: socket connect, dup2 of stdio, pty.spawn or subprocess shell"
		description_zh = "Python 反弹 Shell：socket 连接、dup2 重定向标准输入输出、pty.spawn 或 subprocess 启动 Shell"
		severity = "critical"
		reference = "https://docs.python.org/3/library/pty.html"
	strings:
		$sock = "socket.socket("
		$conn = /\.connect\s*\(\s*\(/
		$dup2 = /os\.dup2\s*\(\s*[a-z_]+\.fileno\s*\(\s*\)\s*,\s*[0-2]\s*\)/
		$pty = /pty\.spawn\s*\(\s*['"](\/bin\/)?(ba|z|k|da)?sh/
		$sub = /subprocess\.(call|Popen|run)\s*\(\s*\[\s*['"](\/bin\/)?(ba|z|k|da)?sh['"]\s*,\s*['"]-i['"]/
	condition:
		$sock and $conn and $dup2 and ($pty or $sub)
}

rule revshell_perl
{
	meta:
		description = "Perl reverse shell: Socket connect, STDIN/STDOUT duplicated onto the socket, exec of a shell"
		description_zh = "Perl 反弹 Shell：Socket 连接、标准输入输出复制到套接字、exec 启动 Shell"
		severity = "critical"
		reference = "https://perldoc.perl.org/Socket"
	strings:
		$use = "use Socket"
		$dup = /open\s*\(\s*STD(IN|OUT)\s*,\s*['"]\s*>\s*&/
		$exec = /exec\s*[\(\s]\s*['"](\/bin\/)?(ba|z|k|da)?sh/
	condition:
		$use and $dup and $exec
}

rule revshell_php_fsockopen
{
	meta:
		description = "PHP reverse shell: fsockopen and a shell bound to the socket descriptor"
		description_zh = "PHP 反弹 Shell：fsockopen 并把 Shell 绑定到套接字描述符"
		severity = "critical"
		reference = "https://www.php.net/manual/en/function.fsockopen.php"
	strings:
		$open = /fsockopen\s*\(/
		$sh = /(ba)?sh\s+-i\s*<\s*&\s*[0-9]+\s*>\s*&\s*[0-9]+/
	condition:
		$open and $sh
}

rule revshell_socat
{
	meta:
		description = "socat reverse shell (tcp connect to exec of a shell)"
		description_zh = "socat 反弹 Shell (TCP 连接并执行 Shell)"
		severity = "critical"
		reference = "http://www.dest-unreach.org/socat/doc/socat.html"
	strings:
		$s = /socat\s[^\n]{0,120}tcp[46]?(-connect)?:[^\s]{1,80}\s[^\n]{0,40}exec:['"]?(\/bin\/)?(ba|z|k|da)?sh/ nocase
	condition:
		$s
}
