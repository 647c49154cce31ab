# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The offload module: its argument list, and main() against the real
nicfix binary of this repository (build/nicfix) on a scratch interfaces
file, file only (live=false: no interface is touched)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.nicfix.nicfix.plugins.modules import offload

# tests/unit/plugins/modules -> the repository's top
TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), *['..'] * 8))
NICFIX = os.environ.get('FLEET_NICFIX') or os.path.join(TOP, 'build', 'nicfix')

INTERFACES = (b'auto lo\niface lo inet loopback\n\n'
              b'iface eno1 inet manual\n\n'
              b'auto vmbr0\niface vmbr0 inet static\n'
              b'\taddress 192.0.2.10/24\n\tbridge-ports eno1\n\tbridge-stp off\n\tbridge-fd 0\n')
LINE = b'\tpost-up ethtool -K eno1 tso off gso off gro off || true\n'


def params(**kw):
    p = dict(bridge='vmbr0', ports=[], features=None, state='present', live=True,
             allow_not_behind=False, allow_conflict=False, overrides=[], path=None, root=None,
             executable=None)
    p.update(kw)
    return p


@pytest.mark.parametrize('kw, check, want', [
    ({}, False, ['persist', 'vmbr0', '--apply']),
    ({}, True, ['persist', 'vmbr0', '--dry-run']),
    ({'live': False}, False, ['persist', 'vmbr0']),
    ({'ports': ['eno1', 'eno2'], 'features': ['tso', 'gro']}, False,
     ['persist', 'vmbr0', 'eno1', 'eno2', '-f', 'tso,gro', '--apply']),
    ({'state': 'absent'}, False, ['unpersist', 'vmbr0']),
    ({'state': 'absent'}, True, ['unpersist', 'vmbr0', '--dry-run']),
    ({'allow_not_behind': True, 'allow_conflict': True, 'overrides': ['allow-x']}, False,
     ['persist', 'vmbr0', '--allow-not-behind', '--allow-conflict', '--allow-x', '--apply']),
    ({'path': '/x/interfaces', 'root': '/r', 'state': 'absent'}, False,
     ['-i', '/x/interfaces', '--root', '/r', 'unpersist', 'vmbr0']),
])
def test_build_args(kw, check, want):
    args = offload.build_args(params(**kw), '/usr/sbin/nicfix', check)
    assert args[:2] == ['/usr/sbin/nicfix', '--json']
    assert args[2:] == want


def run_module(capsys, monkeypatch, args):
    """main() with these module arguments: (failed, result)."""
    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args})))
    with pytest.raises(SystemExit) as e:
        offload.main()
    out = json.loads(capsys.readouterr().out)
    return e.value.code != 0, out


def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    if not os.access(NICFIX, os.X_OK):
        pytest.fail('no nicfix binary at %s: run make all' % NICFIX)
    monkeypatch.setenv('NICFIX_BACKUP_DIR', str(tmp_path / 'backups'))
    path = tmp_path / 'interfaces'
    path.write_bytes(INTERFACES)
    return str(path)


def test_real_nicfix_check_diff_run_rerun_absent(scratch, capsys, monkeypatch):
    base = dict(bridge='vmbr0', path=scratch, executable=NICFIX, live=False)
    before = sha(scratch)

    failed, res = run_module(capsys, monkeypatch, dict(base, _ansible_check_mode=True,
                                                       _ansible_diff=True))
    assert not failed and res['changed'] is True and res['file_changed'] is True
    assert '+' + LINE.decode() in res['diff']['prepared']
    assert '--dry-run' in res['cmd']
    assert sha(scratch) == before

    failed, res = run_module(capsys, monkeypatch, base)
    assert not failed and res['changed'] is True
    assert res['ports'][0]['port'] == 'eno1' and res['ports'][0]['action'] == 'added'
    with open(scratch, 'rb') as f:
        assert f.read() == INTERFACES + LINE

    failed, res = run_module(capsys, monkeypatch, base)
    assert not failed and res['changed'] is False
    assert res['ports'][0]['action'] == 'unchanged'

    failed, res = run_module(capsys, monkeypatch, dict(base, state='absent'))
    assert not failed and res['changed'] is True
    assert sha(scratch) == before

    failed, res = run_module(capsys, monkeypatch, dict(base, state='absent'))
    assert not failed and res['changed'] is False


def test_real_nicfix_unknown_bridge(scratch, capsys, monkeypatch):
    failed, res = run_module(capsys, monkeypatch, dict(bridge='vmbr9', path=scratch,
                                                       executable=NICFIX, live=False))
    assert failed
    assert 'vmbr9' in res['msg']
    assert res['rc'] == 2 and res['changed'] is False
    with open(scratch, 'rb') as f:
        assert f.read() == INTERFACES


def test_bad_override(capsys, monkeypatch):
    failed, res = run_module(capsys, monkeypatch, dict(bridge='vmbr0', executable='/bin/false',
                                                       overrides=['force; reboot']))
    assert failed and 'not an option name' in res['msg']
