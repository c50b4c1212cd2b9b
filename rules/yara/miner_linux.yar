/*
 * Linux coin miners: XMRig builds (its own strings), miner configurations
 * and scripts pointing at stratum pools, and CryptoNight/RandomX miner
 * binaries. One mention of "xmrig" (for example in a blocklist) is not
 * enough for the binary rule; a stratum URL or a known pool host is enough
 * for the configuration rule, because legitimate software has no reason
 * to carry either.
 */

rule miner_xmrig
{
	meta:
		description = "XMRig Monero miner (binary or build)"
		description_zh = "XMRig 门罗币挖矿程序"
		severity = "high"
		reference = "https://github.com/xmrig/xmrig"
	strings:
		$a = "xmrig" nocase
		$b = "donate-level"
		$c = "cryptonight" nocase
		$d = "randomx" nocase
		$e = "stratum+tcp://"
		$f = "XMRIG_VERSION"
		$g = "nicehash"
	condition:
		$a and 2 of ($b, $c, $d, $e, $f, $g)
}

rule miner_stratum_pool
{
	meta:
		description = "Mining pool configuration: stratum URL or a well-known Monero pool host"
		description_zh = "矿池配置：stratum 地址或知名门罗币矿池域名"
		severity = "high"
		reference = "https://en.bitcoin.it/wiki/Stratum_mining_protocol"
	strings:
		$s1 = "stratum+tcp://" nocase
		$s2 = "stratum+ssl://" nocase
		$s3 = "stratum+tls://" nocase
		$p1 = "supportxmr.com" nocase
		$p2 = "minexmr.com" nocase
		$p3 = "xmrpool.eu" nocase
		$p4 = "nanopool.org" nocase
		$p5 = "moneroocean.stream" nocase
		$p6 = "c3pool.com" nocase
		$p7 = "hashvault.pro" nocase
		$p8 = "minergate.com" nocase
		$p9 = "f2pool.com" nocase
		$p10 = "herominers.com" nocase
		$p11 = "2miners.com" nocase
		$p12 = "xmr.crypto-pool.fr" nocase
	condition:
		any of them
}

rule miner_cryptonight_elf
{
	meta:
		description = "ELF program with CryptoNight/RandomX mining code"
		description_zh = "含 CryptoNight/RandomX 挖矿代码的 ELF 程序"
		severity = "high"
		reference = "https://github.com/tevador/RandomX"
	strings:
		$c1 = "cryptonight" nocase
		$c2 = "cn/r"
		$c3 = "rx/0"
		$c4 = "randomx" nocase
		$m1 = "mining.subscribe"
		$m2 = "mining.submit"
		$m3 = "\"method\":\"login\""
		$m4 = "\"method\":\"submit\""
	condition:
		uint32(0) == 0x464c457f and 2 of ($c*) and any of ($m*)
}
