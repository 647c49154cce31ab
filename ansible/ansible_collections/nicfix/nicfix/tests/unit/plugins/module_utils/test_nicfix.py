# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JSON reading of module_utils/nicfix.py, on both forms it reads:
schema 1 (the shared JSON vocabulary nicfix moves to) and
the old form, as printed by the nicfix binary of early 2026 (captured)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.nicfix.nicfix.plugins.module_utils import nicfix as nfx

DIFF = ('--- /etc/network/interfaces\n+++ /etc/network/interfaces\n@@ -5,3 +5,4 @@\n'
        ' iface vmbr0 inet manual\n \tbridge-ports eno1\n \tbridge-stp off\n'
        '+\tpost-up ethtool -K eno1 tso off gso off gro off || true\n')

# captured from the nicfix of early 2026: `nicfix --json persist vmbr0 --apply`
OLD_PERSIST = {
    "command": "persist", "bridge": "vmbr0", "file": "/etc/network/interfaces", "line": 5,
    "changed": True, "dry_run": False, "backup": "/var/backups/nicfix/x.0", "diff": DIFF,
    "ports": [{"port": "eno1", "action": "added",
               "line": "ethtool -K eno1 tso off gso off gro off || true"}],
    "interfaces": [{"name": "eno1", "ok": True, "changed": True, "features": [
        {"name": "tx-generic-segmentation", "result": "off", "active": False}]}],
    "exit": 0}

NEW_PERSIST = {
    "schema": 1, "command": "persist", "ok": True, "exit": 0, "error": None,
    "bridge": "vmbr0", "dry_run": False, "changed": True,
    "files": [{"path": "/etc/network/interfaces", "changed": True, "backup": "/b/0", "diff": DIFF},
              {"path": "/etc/network/interfaces.new", "changed": False, "backup": None, "diff": ""}],
    "ports": [{"port": "eno1", "action": "added", "file": "/etc/network/interfaces", "line": 9,
               "text": "post-up ethtool -K eno1 tso off gso off gro off || true",
               "features": ["tso", "gso", "gro"]}],
    "live": [{"name": "eno1", "ok": True, "changed": False, "turned_off": [],
              "already_off": ["tso", "gso", "gro"], "fixed": [], "failed": [], "features": []}]}

OLD_ERROR = {"command": "persist", "error": "/etc/network/interfaces: no stanza for bridge 'vmbr9'",
             "exit": 2}
NEW_ERROR = {"schema": 1, "command": "persist", "ok": False, "exit": 2,
             "error": {"message": "no stanza for bridge 'vmbr9'",
                       "file": "/etc/network/interfaces", "line": None}}

OLD_STATUS = {"command": "status", "interfaces": [
    {"name": "eno1", "features": {"tso": {"state": "on", "fixed": False},
                                  "gso": {"state": "partial", "fixed": False},
                                  "gro": {"state": "off", "fixed": False},
                                  "lro": {"state": "on", "fixed": True}}}], "exit": 0}
NEW_STATUS = {"schema": 1, "command": "status", "ok": True, "exit": 0, "error": None, "interfaces": [
    {"name": "eno1", "kind": "port", "features": [
        {"name": "tso", "state": "off", "fixed": False, "bits": [
            {"name": "tx-tcp-segmentation", "state": "off", "fixed": False}]},
        {"name": "gso", "state": "off", "fixed": False, "bits": []},
        {"name": "gro", "state": "on", "fixed": False, "bits": [
            {"name": "rx-gro", "state": "on", "fixed": False}]}]}]}


def test_parse_old_envelope():
    res = nfx.parse(json.dumps(OLD_PERSIST), 0)
    assert res['ok'] is True and res['exit'] == 0 and res['error'] is None
    assert res['command'] == 'persist'


def test_parse_new_envelope():
    res = nfx.parse(json.dumps(NEW_ERROR) + '\n', 2)
    assert res['ok'] is False and res['exit'] == 2
    assert res['error'] == {'message': "no stanza for bridge 'vmbr9'",
                            'file': '/etc/network/interfaces', 'line': None}
    assert nfx.error_message(res) == "no stanza for bridge 'vmbr9'"


def test_error_string_is_old_form():
    res = nfx.parse(json.dumps(OLD_ERROR), 2)
    assert res['ok'] is False
    assert res['error']['message'] == "/etc/network/interfaces: no stanza for bridge 'vmbr9'"
    assert res['error']['file'] is None


def test_error_with_file_and_line():
    res = nfx.parse(json.dumps({"schema": 1, "command": "persist", "ok": False, "exit": 2,
                                "error": {"message": "cannot parse", "file": "/e/i", "line": 7}}), 2)
    assert nfx.error_message(res) == '/e/i:7: cannot parse'


@pytest.mark.parametrize('text', ['', 'nicfix: unknown command', '[1, 2]', '{"exit": '])
def test_no_json_object(text):
    with pytest.raises(nfx.NicfixError):
        nfx.parse(text, 2)


def test_error_message_falls_back_to_stderr():
    res = nfx.parse('{"command": null, "exit": 2}', 2)
    assert nfx.error_message(res, '\nnicfix: unknown command\n') == 'nicfix: unknown command'


def test_exit_from_rc_when_missing():
    res = nfx.parse('{"command": "status"}', 3)
    assert res['exit'] == 3 and res['ok'] is False


@pytest.mark.parametrize('obj', [OLD_PERSIST, NEW_PERSIST])
def test_files_both_forms(obj):
    files = nfx.files(obj)
    assert files[0]['path'] == '/etc/network/interfaces'
    assert files[0]['changed'] is True
    assert nfx.files_changed(obj) is True
    assert nfx.diff_text(obj) == DIFF


def test_files_unchanged():
    obj = dict(NEW_PERSIST, files=[dict(f, changed=False, diff='') for f in NEW_PERSIST['files']])
    assert nfx.files_changed(obj) is False
    assert nfx.diff_text(obj) == ''


def test_ports_old_form_text_in_line():
    p = nfx.ports(OLD_PERSIST)[0]
    assert p['port'] == 'eno1' and p['action'] == 'added'
    assert p['text'] == 'ethtool -K eno1 tso off gso off gro off || true'
    assert p['line'] is None and p['file'] == '/etc/network/interfaces'


def test_ports_new_form():
    p = nfx.ports(NEW_PERSIST)[0]
    assert p['line'] == 9 and p['text'].startswith('post-up ethtool -K eno1')
    assert p['features'] == ['tso', 'gso', 'gro']


def test_live_both_forms():
    assert nfx.live_changed(nfx.live(OLD_PERSIST)) is True
    assert nfx.live_changed(nfx.live(NEW_PERSIST)) is False
    assert nfx.live(dict(NEW_PERSIST, live=None)) is None
    assert nfx.live({"command": "persist", "exit": 0}) is None


def test_predict_live_old_status():
    pred = nfx.predict_live(OLD_STATUS, ['eno1'], ['tso', 'gso', 'gro', 'lro'])
    # lro is on but fixed: apply cannot change it
    assert pred == [dict(name='eno1', changed=True, would_turn_off=['tso', 'gso'], known=True)]


def test_predict_live_new_status_and_bits():
    pred = nfx.predict_live(NEW_STATUS, ['eno1', 'eno9'], ['tso', 'gso', 'rx-gro'])
    assert pred[0] == dict(name='eno1', changed=True, would_turn_off=['rx-gro'], known=True)
    assert pred[1]['known'] is False and pred[1]['changed'] is False
    pred = nfx.predict_live(NEW_STATUS, ['eno1'], ['tso', 'gso'])
    assert pred[0]['changed'] is False


def test_hung_both_forms():
    old = {"command": "diagnose", "hang": True, "events": [
        {"interface": "eno1", "driver": "e1000e", "hang": True, "live": {"bridge": "vmbr0"}},
        {"interface": "eno2", "driver": "r8169", "hang": False}], "exit": 1}
    new = {"schema": 1, "command": "diagnose", "ok": False, "exit": 1, "error": None, "hang": True,
           "events": [{"interface": "eno1", "driver": "e1000e", "bridge": "vmbr0", "live": []}]}
    want = [dict(interface='eno1', bridge='vmbr0', driver='e1000e')]
    assert nfx.hung(old) == want
    assert nfx.hung(new) == want


def test_findings_both_forms():
    new = {"findings": [{"kind": "missing", "port": "eno1"}]}
    assert nfx.findings(new) == new['findings']
    old = {"lines": [{"bridge": "vmbr0", "port": "eno1", "problem": None, "live": "ok"},
                     {"bridge": "vmbr0", "port": "eno2", "problem": None, "live": "drift",
                      "drift": "rx-gro"}]}
    got = nfx.findings(old)
    assert len(got) == 1 and got[0]['port'] == 'eno2'


def test_base_args():
    assert nfx.base_args('/usr/sbin/nicfix') == ['/usr/sbin/nicfix', '--json']
    assert nfx.base_args('nicfix', '/x/interfaces', '/r') == \
        ['nicfix', '--json', '-i', '/x/interfaces', '--root', '/r']


# the json branch of 2026-12 on its way to schema 1: the new envelope around
# the old persist fields, and the apply's new interfaces beside them
MIXED_PERSIST = dict(OLD_PERSIST, schema=1, ok=True, error=None, interfaces=[
    {"name": "eno1", "via": None, "ok": True, "changed": True, "turned_off": ["tso", "gso"],
     "already_off": ["gro"], "fixed": [], "failed": [], "features": []}])


def test_mixed_form():
    res = nfx.parse(json.dumps(MIXED_PERSIST), 0)
    assert res['ok'] is True and res['error'] is None
    assert nfx.files_changed(MIXED_PERSIST) is True
    assert nfx.diff_text(MIXED_PERSIST) == DIFF
    assert nfx.live_changed(nfx.live(MIXED_PERSIST)) is True
    assert nfx.ports(MIXED_PERSIST)[0]['text'].startswith('ethtool -K eno1')
