#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nicfix contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: nicfix_info
short_description: Read NIC offload status, check the persisted fix, and find NIC hangs, with nicfix
version_added: "0.1.0"
description:
  - Runs C(nicfix --json status), C(nicfix --json check) and C(nicfix --json diagnose) on the
    managed node and returns their objects.  Never changes anything (C(check) runs without
    C(--apply)), so it is safe in check mode and on every node.
  - A hang found by C(diagnose) or a finding of C(check) is data, not a failure; the module fails
    only when nicfix could not do its job (exit 2 or 3).
author:
  - nicfix contributors (@nicfix)
requirements:
  - nicfix on the managed node
attributes:
  check_mode:
    support: full
    description: Reads only; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so has no diff.
options:
  gather:
    description: What to gather.
    type: list
    elements: str
    choices: [status, check, diagnose]
    default: [status, check, diagnose]
  interfaces:
    description: The interfaces C(status) reports; omitted, the physical NICs and bridges.
    type: list
    elements: str
    default: []
  bridges:
    description: The bridges C(check) checks; omitted, every bridge with offload lines.
    type: list
    elements: str
    default: []
  live:
    description: Whether C(check) also compares the live state (without it, C(--no-live)).
    type: bool
    default: true
  input:
    description:
      - A kernel log on the managed node for C(diagnose --input), in any format nicfix reads.
        Omitted, this boot's kernel log.
    type: path
  since:
    description: C(diagnose --since).
    type: str
  path:
    description: The interfaces file (C(nicfix -i)).
    type: path
  root:
    description: C(nicfix --root).
    type: path
  executable:
    description: The nicfix binary. Default C(nicfix) from C(PATH) or C(/usr/sbin).
    type: path
seealso:
  - module: nicfix.nicfix.offload
'''

EXAMPLES = r'''
- name: Find the nodes whose kernel log shows the hang
  nicfix.nicfix.nicfix_info:
    gather: [diagnose]
  register: nicfix

- name: Fix only those
  nicfix.nicfix.offload:
    bridge: "{{ item.bridge }}"
    ports: ["{{ item.interface }}"]
  loop: "{{ nicfix.hung }}"
  when: item.bridge

- name: Check the persisted lines without reading the live state
  nicfix.nicfix.nicfix_info:
    gather: [check]
    live: false
'''

RETURN = r'''
status:
  description: nicfix's C(status) object.
  returned: when status is gathered
  type: dict
check:
  description: nicfix's C(check) object.
  returned: when check is gathered
  type: dict
diagnose:
  description: nicfix's C(diagnose) object.
  returned: when diagnose is gathered
  type: dict
hang:
  description: Whether C(diagnose) found a NIC hang.
  returned: when diagnose is gathered
  type: bool
hung:
  description: The hung interfaces, with the bridge each is in (null when unknown).
  returned: when diagnose is gathered
  type: list
  elements: dict
  sample: [{"interface": "eno1", "bridge": "vmbr0", "driver": "e1000e"}]
check_ok:
  description: Whether C(check) found nothing to report (exit 0).
  returned: when check is gathered
  type: bool
findings:
  description: The problems C(check) found.
  returned: when check is gathered
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nicfix.nicfix.plugins.module_utils import nicfix as nfx


def main():
    module = AnsibleModule(
        argument_spec=dict(
            gather=dict(type='list', elements='str', choices=['status', 'check', 'diagnose'],
                        default=['status', 'check', 'diagnose']),
            interfaces=dict(type='list', elements='str', default=[]),
            bridges=dict(type='list', elements='str', default=[]),
            live=dict(type='bool', default=True),
            input=dict(type='path'),
            since=dict(type='str'),
            path=dict(type='path'),
            root=dict(type='path'),
            executable=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    p = module.params
    exe = p['executable'] or module.get_bin_path('nicfix', required=True,
                                                 opt_dirs=['/usr/sbin', '/sbin'])
    base = nfx.base_args(exe, p['path'], p['root'])
    result = dict(changed=False)

    def gather(name, args):
        res = nfx.run(module, args)
        # exit 1 is a finding (drift, a hang), not an error
        if res['exit'] not in (0, 1):
            module.fail_json(msg='%s: %s' % (name, nfx.error_message(res, res['stderr'])),
                             rc=res['exit'], cmd=args, error=res['error'], **result)
        result[name] = res['raw']
        return res

    if 'status' in p['gather']:
        gather('status', base + ['status'] + p['interfaces'])
    if 'check' in p['gather']:
        args = base + ['check'] + p['bridges']
        if not p['live']:
            args.append('--no-live')
        res = gather('check', args)
        result['check_ok'] = res['exit'] == 0
        result['findings'] = nfx.findings(res['raw'])
    if 'diagnose' in p['gather']:
        args = base + ['diagnose']
        if p['input']:
            args += ['--input', p['input']]
        if p['since']:
            args += ['--since', p['since']]
        res = gather('diagnose', args)
        hang = res['raw'].get('hang')
        result['hang'] = hang if isinstance(hang, bool) else res['exit'] == 1
        result['hung'] = nfx.hung(res['raw'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
