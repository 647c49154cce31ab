# -*- coding: utf-8 -*-
# Copyright: nicfix contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ``nicfix --json`` and read its one JSON object.

Every field name of nicfix's JSON that the modules use is read here, and
only here, so a change in the vocabulary is a change in this file.  The
target is schema 1 (the envelope ``schema``/``command``/``ok``/``exit``/
``error``; ``files[]``, ``ports[]`` and ``live`` for persist/unpersist).
Where the nicfix of early 2026 printed something else, both are read; each
such place says which form is the old one.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

# the short names nicfix and ethtool -K agree on
SHORT_FEATURES = ('rx', 'tx', 'sg', 'tso', 'ufo', 'gso', 'gro', 'lro',
                  'rxvlan', 'txvlan', 'ntuple', 'rxhash')
DEFAULT_FEATURES = ('tso', 'gso', 'gro')


class NicfixError(Exception):
    """nicfix could not be run, or printed no JSON object."""


def base_args(executable, path=None, root=None):
    """The argument list up to the command: global options only."""
    args = [executable, '--json']
    if path:
        args += ['-i', path]
    if root:
        args += ['--root', root]
    return args


def parse(stdout, rc):
    """The one JSON object of a run, with its envelope normalised.

    Returns a dict: ``command``, ``exit``, ``ok``, ``error`` (None or
    ``{message, file, line}``) and ``raw`` (the whole object).
    """
    text = (stdout or '').strip()
    if not text:
        raise NicfixError('nicfix printed nothing on stdout (exit %d)' % rc)
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise NicfixError('nicfix printed no JSON object (exit %d): %s' % (rc, e))
    if not isinstance(obj, dict):
        raise NicfixError('nicfix printed JSON that is not an object (exit %d)' % rc)
    code = obj.get('exit')
    if not isinstance(code, int):
        code = rc
    ok = obj.get('ok')
    if not isinstance(ok, bool):
        # old form: no "ok"; it is "exit == 0" by definition
        ok = code == 0
    return dict(command=obj.get('command'), exit=code, ok=ok,
                error=normalize_error(obj.get('error')), raw=obj)


def normalize_error(err):
    """``{message, file, line}`` or None.

    Schema 1 has an object; the old form was a bare string.
    """
    if err is None or err == '':
        return None
    if isinstance(err, dict):
        line = err.get('line')
        return dict(message=err.get('message') or '', file=err.get('file'),
                    line=line if isinstance(line, int) else None)
    return dict(message=str(err), file=None, line=None)


def error_message(res, stderr=''):
    """The one line to show a user for a failed run."""
    if res and res.get('error') and res['error'].get('message'):
        err = res['error']
        if err.get('file') and err.get('line'):
            return '%s:%d: %s' % (err['file'], err['line'], err['message'])
        return err['message']
    lines = [ln for ln in (stderr or '').splitlines() if ln.strip()]
    if lines:
        return lines[0]
    return 'nicfix exited %d' % (res['exit'] if res else -1)


def files(obj):
    """The files a persist/unpersist touched: ``[{path, changed, backup, diff}]``.

    Schema 1: ``files[]``.  Old form: one file in top-level ``file``,
    ``changed``, ``backup`` and ``diff``.
    """
    if isinstance(obj.get('files'), list):
        out = []
        for f in obj['files']:
            out.append(dict(path=f.get('path'), changed=bool(f.get('changed')),
                            backup=f.get('backup'), diff=f.get('diff') or ''))
        return out
    if obj.get('file') is not None or 'diff' in obj:
        return [dict(path=obj.get('file'), changed=bool(obj.get('changed')),
                     backup=obj.get('backup'), diff=obj.get('diff') or '')]
    return []


def ports(obj):
    """Per port: ``[{port, action, file, line, text, features}]``.

    Schema 1: ``line`` is the line number, ``text`` the line.  Old form:
    ``line`` held the text and the file was top-level.
    """
    out = []
    for p in obj.get('ports') or []:
        line = p.get('line')
        text = p.get('text')
        if isinstance(line, str) or line is None and text is None:
            # old form
            text, line = line, None
        out.append(dict(port=p.get('port'), action=p.get('action'),
                        file=p.get('file', obj.get('file')), line=line,
                        text=text, features=p.get('features')))
    return out


def live(obj):
    """What ``--apply`` did: the apply object's ``interfaces`` list, or None.

    Schema 1: ``live``.  Old form: the apply's ``interfaces`` at top level.
    """
    if 'live' in obj:
        return obj['live'] if isinstance(obj['live'], list) else None
    if isinstance(obj.get('interfaces'), list):
        return obj['interfaces']
    return None


def files_changed(obj):
    """True when nicfix changed (or, in a dry run, would change) a file."""
    fl = files(obj)
    if fl:
        return any(f['changed'] for f in fl)
    return bool(obj.get('changed'))


def live_changed(interfaces):
    """True when a port's features were changed live."""
    return any(bool(i.get('changed')) for i in interfaces or [])


def diff_text(obj):
    """nicfix's unified diff(s), one after the other."""
    return ''.join(f['diff'] for f in files(obj) if f['diff'])


def feature_states(iface):
    """``{name: {state, fixed, bits}}`` of a status interface.

    Schema 1: a list of ``{name, state, fixed, bits}``.  Old form: a dict
    from short name to ``{state, fixed}``, without bits.
    """
    feats = iface.get('features')
    out = {}
    if isinstance(feats, list):
        for f in feats:
            out[f.get('name')] = dict(state=f.get('state'), fixed=bool(f.get('fixed')),
                                      bits=f.get('bits') or [])
    elif isinstance(feats, dict):
        for name, f in feats.items():
            out[name] = dict(state=f.get('state'), fixed=bool(f.get('fixed')), bits=[])
    return out


def would_change(state):
    """A feature in this state would be turned off by apply."""
    return state.get('state') in ('on', 'partial') and not state.get('fixed')


def predict_live(status_obj, port_names, features):
    """From a ``status`` object: per port, the features apply would turn off.

    Returns ``[{name, changed, would_turn_off}]``, the shape of the apply's
    interfaces, for the ports named.  A kernel bit name is looked up among
    the bits (schema 1 only); a feature found nowhere is not predicted.
    """
    by_name = {}
    for iface in status_obj.get('interfaces') or []:
        by_name[iface.get('name')] = feature_states(iface)
    out = []
    for port in port_names:
        states = by_name.get(port)
        if states is None:
            out.append(dict(name=port, changed=False, would_turn_off=[], known=False))
            continue
        off = []
        for feat in features:
            if feat in states:
                if would_change(states[feat]):
                    off.append(feat)
                continue
            for st in states.values():
                for bit in st['bits']:
                    if bit.get('name') == feat and bit.get('state') == 'on' \
                            and not bit.get('fixed'):
                        off.append(feat)
        out.append(dict(name=port, changed=bool(off), would_turn_off=off, known=True))
    return out


def hung(diag_obj):
    """The interfaces a diagnose object found hung: ``[{interface, bridge, driver}]``.

    Schema 1: ``events[].bridge``.  Old form: the bridge sat in the event's
    ``live`` object, and an event could be a non-hang (``hang: false``).
    """
    out = []
    for ev in diag_obj.get('events') or []:
        if ev.get('hang') is False:
            continue
        bridge = ev.get('bridge')
        lv = ev.get('live')
        if bridge is None and isinstance(lv, dict):
            bridge = lv.get('bridge')
        out.append(dict(interface=ev.get('interface'), bridge=bridge,
                        driver=ev.get('driver')))
    return out


def findings(check_obj):
    """The problems a check object names.

    Schema 1: ``findings[]``.  Old form: ``lines[]`` with a ``problem`` or a
    ``live`` other than ok.
    """
    if isinstance(check_obj.get('findings'), list):
        return check_obj['findings']
    out = []
    for ln in check_obj.get('lines') or []:
        if ln.get('problem') or ln.get('live') not in (None, 'ok', 'skipped'):
            out.append(dict(kind=ln.get('problem') or 'drift', bridge=ln.get('bridge'),
                            port=ln.get('port'), file=ln.get('file'),
                            line=ln.get('line'), message=ln.get('problem') or ln.get('live'),
                            drift=ln.get('drift')))
    return out


def run(module, args):
    """Run nicfix with an argument list (never a shell); the parsed result.

    Fails the module when nicfix printed no JSON; otherwise returns the
    parse() dict, with ``stderr`` added, whatever the exit code: the
    caller decides which exits are failures.
    """
    rc, out, err = module.run_command(args, check_rc=False, environ_update=dict(LC_ALL='C'))
    try:
        res = parse(out, rc)
    except NicfixError as e:
        module.fail_json(msg=str(e), rc=rc, stdout=out, stderr=err, cmd=args)
    res['stderr'] = err
    return res
