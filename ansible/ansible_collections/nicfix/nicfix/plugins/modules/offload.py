#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nicfix contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: offload
short_description: Keep NIC offloads off for a bridge's ports, persistently and live, with nicfix
version_added: "0.1.0"
description:
  - Runs C(nicfix --json persist) or C(nicfix --json unpersist) on the managed node, which adds
    (or removes) one C(post-up ethtool -K PORT tso off gso off gro off || true) line per port
    to the bridge's stanza of C(/etc/network/interfaces), through Augeas, wherever C(source)
    and C(source-directory) put it.
  - With I(live=true) the features are also turned off now, over ethtool netlink, and read
    back.  Networking is never restarted (no C(ifreload), no C(ifdown)/C(ifup), no bounce of the
    bridge).
  - Idempotent; C(changed) is true only when a file changed or a port's features changed live.
  - In check mode nicfix runs with C(--dry-run) (no file, no feature is changed) and the live
    change is predicted from C(nicfix --json status).  In diff mode nicfix's own unified diff is
    returned.
author:
  - nicfix contributors (@nicfix)
requirements:
  - nicfix on the managed node (the C(nicfix) Debian package, or I(executable))
attributes:
  check_mode:
    support: full
    description: Runs nicfix with C(--dry-run) and predicts the live change from C(status).
  diff_mode:
    support: full
    description: Returns nicfix's unified diff of every file it would change or changed.
options:
  bridge:
    description:
      - The bridge (for example C(vmbr0)) whose stanza gets the lines; or a physical NIC in no
        bridge, whose own stanza gets them.
    type: str
    required: true
  ports:
    description:
      - The ports to cover. Omitted, nicfix covers every physical port behind the bridge
        (bridge-ports, through bonds to their slaves and VLAN devices to their parent).
    type: list
    elements: str
    default: []
  features:
    description:
      - The features to turn off, as ethtool short names (C(tso), C(gso), C(gro), ...) or kernel
        names.  Omitted, nicfix's default (C(tso,gso,gro)).
    type: list
    elements: str
  state:
    description:
      - C(present) adds or completes the lines; C(absent) removes the requested features from the
        ports' offload lines (and a line left with none), keeping every other word and line.
      - C(absent) does not turn features back on live.
    type: str
    choices: [present, absent]
    default: present
  live:
    description:
      - With I(state=present), also turn the features off now (C(nicfix persist --apply)).
    type: bool
    default: true
  allow_not_behind:
    description:
      - Pass C(--allow-not-behind) (write a line for a PORT that is not behind the bridge).
    type: bool
    default: false
  allow_conflict:
    description:
      - Pass C(--allow-conflict) (write even where a line turns a requested feature on).
    type: bool
    default: false
  overrides:
    description:
      - Further overrides, each the long option's name without its dashes (C(allow-conflict)
        becomes C(--allow-conflict)).  C(nicfix persist --help) lists them.
    type: list
    elements: str
    default: []
  path:
    description:
      - The interfaces file (C(nicfix -i)). Default C(/etc/network/interfaces).
    type: path
  root:
    description:
      - Operate on a whole system under this directory (C(nicfix --root)).
    type: path
  executable:
    description:
      - The nicfix binary. Default C(nicfix) from C(PATH) or C(/usr/sbin).
    type: path
notes:
  - "Roll out with C(serial: 1) on a cluster; the module itself never interrupts a link."
seealso:
  - module: nicfix.nicfix.nicfix_info
'''

EXAMPLES = r'''
- name: Keep tso, gso and gro off on every physical port of vmbr0, now and at every boot
  nicfix.nicfix.offload:
    bridge: vmbr0

- name: Only eno1, and only tso
  nicfix.nicfix.offload:
    bridge: vmbr0
    ports: [eno1]
    features: [tso]

- name: Show what would change (run the play with --check --diff)
  nicfix.nicfix.offload:
    bridge: vmbr0
  check_mode: true
  diff: true

- name: Take the lines out again (live features are left as they are)
  nicfix.nicfix.offload:
    bridge: vmbr0
    state: absent
'''

RETURN = r'''
changed:
  description: A file changed, or a port's features changed live (or would, in check mode).
  returned: always
  type: bool
bridge:
  description: The bridge, as nicfix names it.
  returned: always
  type: str
files:
  description: The files nicfix changed or would change (the interfaces file and C(interfaces.new)).
  returned: success
  type: list
  elements: dict
  contains:
    path:
      description: The file.
      type: str
    changed:
      description: Whether it changed.
      type: bool
    backup:
      description: nicfix's backup of the previous version, or null.
      type: str
    diff:
      description: The unified diff.
      type: str
ports:
  description: Per port, what nicfix did to its line.
  returned: success
  type: list
  elements: dict
  contains:
    port:
      description: The port.
      type: str
    action:
      description: C(added), C(completed), C(unchanged), C(removed), C(absent) or C(renamed).
      type: str
    file:
      description: The file holding the line.
      type: str
    line:
      description: Its 1-based line number (null from nicfix versions before schema 1).
      type: int
    text:
      description: The line's text.
      type: str
  sample: [{"port": "eno1", "action": "added", "file": "/etc/network/interfaces", "line": 9,
            "text": "post-up ethtool -K eno1 tso off gso off gro off || true"}]
live:
  description:
    - What the live apply did, per port (nicfix's apply C(interfaces) list), or in check mode
      the prediction C([{name, changed, would_turn_off}]); null when nothing was applied.
  returned: success
  type: list
  elements: dict
file_changed:
  description: Whether a file changed (or would).
  returned: success
  type: bool
live_changed:
  description: Whether a port's features changed live (or would).
  returned: success
  type: bool
rc:
  description: nicfix's exit status.
  returned: always
  type: int
cmd:
  description: The argument list nicfix ran with.
  returned: always
  type: list
  elements: str
nicfix:
  description: nicfix's whole JSON object.
  returned: always
  type: dict
msg:
  description: nicfix's error message, on failure.
  returned: failure
  type: str
error:
  description: nicfix's error, C({message, file, line}).
  returned: failure
  type: dict
'''

import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nicfix.nicfix.plugins.module_utils import nicfix as nfx

OVERRIDE_RE = re.compile(r'^[a-z][a-z0-9-]*$')


def build_args(p, exe, check_mode):
    """The persist/unpersist argument list for the module's parameters."""
    present = p['state'] == 'present'
    args = nfx.base_args(exe, p['path'], p['root'])
    args += ['persist' if present else 'unpersist', p['bridge']] + list(p['ports'])
    if p['features']:
        args += ['-f', ','.join(p['features'])]
    if p['allow_not_behind']:
        args.append('--allow-not-behind')
    if p['allow_conflict']:
        args.append('--allow-conflict')
    for name in p['overrides']:
        args.append('--' + name)
    if check_mode:
        args.append('--dry-run')
    elif present and p['live']:
        args.append('--apply')
    return args


def main():
    module = AnsibleModule(
        argument_spec=dict(
            bridge=dict(type='str', required=True),
            ports=dict(type='list', elements='str', default=[]),
            features=dict(type='list', elements='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            live=dict(type='bool', default=True),
            allow_not_behind=dict(type='bool', default=False),
            allow_conflict=dict(type='bool', default=False),
            overrides=dict(type='list', elements='str', default=[]),
            path=dict(type='path'),
            root=dict(type='path'),
            executable=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    p = module.params
    for name in p['overrides']:
        if not OVERRIDE_RE.match(name):
            module.fail_json(msg="overrides: '%s' is not an option name" % name)
    exe = p['executable'] or module.get_bin_path('nicfix', required=True,
                                                 opt_dirs=['/usr/sbin', '/sbin'])
    args = build_args(p, exe, module.check_mode)
    res = nfx.run(module, args)
    obj = res['raw']
    file_changed = nfx.files_changed(obj)
    live = nfx.live(obj)
    if module.check_mode and p['state'] == 'present' and p['live'] and res['ok']:
        names = [q['port'] for q in nfx.ports(obj) if q['port']]
        features = p['features'] or list(nfx.DEFAULT_FEATURES)
        st = nfx.run(module, nfx.base_args(exe, p['path'], p['root']) + ['status'] + names)
        if not st['ok']:
            module.fail_json(msg='status: ' + nfx.error_message(st, st['stderr']),
                             rc=st['exit'], cmd=args, nicfix=st['raw'], changed=False)
        live = nfx.predict_live(st['raw'], names, features)
    live_changed = nfx.live_changed(live)
    result = dict(
        changed=file_changed or live_changed,
        bridge=obj.get('bridge', p['bridge']),
        files=nfx.files(obj),
        ports=nfx.ports(obj),
        live=live,
        file_changed=file_changed,
        live_changed=live_changed,
        rc=res['exit'],
        cmd=args,
        nicfix=obj,
    )
    if module._diff:
        result['diff'] = dict(prepared=nfx.diff_text(obj))
    if not res['ok']:
        module.fail_json(msg=nfx.error_message(res, res['stderr']), error=res['error'],
                         stderr=res['stderr'], **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
