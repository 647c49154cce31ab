# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nicfix_info's main() against the real nicfix of this repository, on the
repository's kernel-log fixtures (diagnose --input reads only the file)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.nicfix.nicfix.plugins.modules import nicfix_info

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), *['..'] * 8))
NICFIX = os.path.join(TOP, 'build', 'nicfix')
KLOG = os.path.join(TOP, 'tests', 'fixtures', 'klog')


def run_module(capsys, monkeypatch, args):
    """main() with these module arguments: (failed, result)."""
    if not os.access(NICFIX, os.X_OK):
        pytest.fail('no nicfix binary at %s: run make all' % NICFIX)
    args = dict(args, executable=NICFIX)
    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args})))
    with pytest.raises(SystemExit) as e:
        nicfix_info.main()
    return e.value.code != 0, json.loads(capsys.readouterr().out)


def test_diagnose_hang(capsys, monkeypatch):
    failed, res = run_module(capsys, monkeypatch, dict(
        gather=['diagnose'], input=os.path.join(KLOG, 'e1000e-dmesg.log')))
    assert not failed and res['changed'] is False
    assert res['hang'] is True
    assert [h['interface'] for h in res['hung']] == ['enp0s31f6']
    assert res['hung'][0]['driver'] == 'e1000e'
    assert 'status' not in res and 'check' not in res


def test_diagnose_clean(capsys, monkeypatch):
    failed, res = run_module(capsys, monkeypatch, dict(
        gather=['diagnose'], input=os.path.join(KLOG, 'clean.log')))
    assert not failed
    assert res['hang'] is False and res['hung'] == []


def test_diagnose_unreadable_fails_with_nicfix_message(capsys, monkeypatch, tmp_path):
    missing = str(tmp_path / 'no-such.log')
    failed, res = run_module(capsys, monkeypatch, dict(gather=['diagnose'], input=missing))
    assert failed
    assert res['rc'] == 2
    assert missing in res['msg']
