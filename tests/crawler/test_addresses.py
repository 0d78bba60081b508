"""Which addresses the source tester may reach: public ones, and what the allow list names."""

import pytest

from crawler.addresses import Allowance, is_public, parse_entry


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "fe80::1%eth0", "fc00::1", "100.64.0.1", "0.0.0.0", "::", "::ffff:127.0.0.1", "224.0.0.1",
])
def test_non_public_addresses(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses(address):
    assert is_public(address)


@pytest.mark.parametrize("entries, host, port, address, allowed", [
    (["127.0.0.1:8600"], "127.0.0.1", 8600, "127.0.0.1", True),
    (["127.0.0.1:8600"], "localhost", 8600, "127.0.0.1", True),     # an address entry: resolved
    (["127.0.0.1:8600"], "127.0.0.1", 8601, "127.0.0.1", False),
    (["localhost"], "LOCALHOST.", 9, "127.0.0.1", True),             # a name entry: as written
    (["localhost"], "127.0.0.1", 9, "127.0.0.1", False),
    (["10.20.0.0/16"], "bbs.intranet", 80, "10.20.3.4", True),
    (["10.20.0.0/16"], "bbs.intranet", 80, "10.21.3.4", False),
    (["[::1]:8600"], "::1", 8600, "::1", True),
    ([], "example.com", 443, "93.184.215.14", True),
    ([], "example.com", 443, "127.0.0.1", False),                    # DNS pointing home
])
def test_allowance(entries, host, port, address, allowed):
    assert Allowance(entries).allows(host, port, address) is allowed


@pytest.mark.parametrize("entry", ["", "http://intranet", "user@host", "10.0.0.0/33", "host:0",
                                   "host:99999", "host:x", "two words", "a..b"])
def test_bad_entries(entry):
    with pytest.raises(ValueError):
        parse_entry(entry)
