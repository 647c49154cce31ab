(* Nicfix_interfaces - /etc/network/interfaces lens for nicfix

   nicfix edits the bridge stanzas of /etc/network/interfaces files written
   by ifupdown, ifupdown2 (Proxmox VE) and ifupdown-ng.  The stock
   Interfaces lens rejects or misreads much of what those tools accept, so
   nicfix ships this lens under its own module name and loads it by path;
   it never shadows the stock one.  Over the stock lens it adds:

   - stanzas without family or method ("iface vmbr1": ifupdown2, Proxmox
     SDN, ifupdown-ng) and "inherits" on the iface line;
   - ifupdown2's "vlan" and ifupdown-ng's "template" stanzas, shaped like
     iface stanzas ({ "vlan" = "br0.100" ... }), so that their lines are
     not taken for options of the stanza above;
   - the other top-level keywords (no-scripts, no-auto-down, rename and
     the allow- family) and indented auto and source lines;
   - option keys in any case and with dots, options without a value,
     options at column 0;
   - "#" comments after a value, kept out of the value: blanks and "#"
     after the value's first word start one ("address ####.####/24" is a
     value).  Quotes are not special, so a shell command with " #" inside
     quotes is cut there; ifupdown and ifupdown2 have no such comments at
     all and would pass the whole line on;
   - backslash continuations anywhere in a value, kept verbatim;
   - CRLF line endings, with no "\r" in any value or label;
   - text without a final newline, kept without one;
   - bridge_ports, bond_slaves and slaves as port lists, like bridge-ports
     and bond-slaves.

   Tree (the nicfix sources rely on it):
     { "#comment" = "text" }
     { "auto" { "1" = "lo" } { "2" = "eno1" } }    also allow-*, no-scripts,
                                                   no-auto-down, rename
     { "source" = "/etc/network/interfaces.d/*" }
     { "source-directory" = "interfaces.d" }
     { "mapping" = "eth0" { "script" = "..." } { "map" = "..." } }
     { "iface" = "vmbr0"
         { "family" = "inet" } { "method" = "static" }   when written
         { "inherits" = "ethernet" }                      when written
         { "address" = "10.0.0.2/24" { "#comment" = "after the value" } }
         { "bridge-ports" { "1" = "eno1" } { "2" = "eno2" } }
         { "no-value-option" }
         { "#comment" = "a line of its own" } }
   Blank lines are hidden nodes, as in the stock lenses; so is a comment
   after the iface or mapping line (see head_comment).  A new option line
   comes out as "\t<key> <value>\n", also in a CRLF file.

   Every line kind takes its line ending as a parameter: eol for all lines
   but the last one of a text without a final newline, noeol for that one.
   aug_load appends a newline before parsing, but aug_text_store does not,
   and callers hand it single stanzas.  The tree of such a text ends with a
   hidden node { = "noeol" }: Augeas must tell from the tree alone which of
   the two lenses wrote the last node.  A line added after that last node
   ends the text without a newline too, but the line it was added after is
   written anew, with the default indentation.  (Storing each line with the
   break before it would need no marker, but Augeas splits iterations
   greedily, and a blank line would then swallow the indentation of the
   next stanza's line.)

   Lines after an iface or mapping line belong to that stanza up to the
   next keyword line, blank lines and comments included, as in the stock
   lens.  Ending a stanza at its last option would read better, but then
   removing that option (nicfix unpersist) from below a comment would leave
   a tree the lens cannot write.  Callers add options with "ins ... after"
   the stanza's last option, never with "[last()+1]", which would land
   below the stanza's trailing blank lines and comments.
*)

module Nicfix_interfaces =

(************************************************************************
 * Lexical pieces
 *************************************************************************)

(* Blanks and a CR at the end of a line go with the line ending, so that no
   value or label ever ends in whitespace or "\r". *)
let eol   = del /[ \t\r]*\n/ "\n"
let noeol = del /[ \t\r]*/ ""

(* ifupdown joins a line ending in a backslash with the next one, so a
   continuation may sit between any two words. *)
let sep = del /([ \t]|\\\\\r?\n)+/ " "

let spc = /[ \t]+/

(* A backslash escapes the next character, another backslash included;
   before a line break it is a continuation and the break stays in the
   value. *)
let bsl = /\\\\(\r?\n|[^\r\n])/
let wch = /[^ \t\r\n\\]/ | bsl

(* The first word may start with "#" ("address ####.####/24" in a
   template); a later one may not, since blanks and "#" start a trailing
   comment.  The first word does not start with a continuation: that one
   belongs to the separator before the value. *)
let word1    = (/[^ \t\r\n\\]/ | /\\\\[^\r\n]/) . wch*
let word_nh  = (/[^# \t\r\n\\]/ | bsl) . wch*
let value_re = word1 . (spc . word_nh)*

(* Interface names, families, methods, list items: one plain word. *)
let word = /[^# \t\r\n\\][^ \t\r\n\\]*/

let comment_re = /[^ \t\r\n]([^\n]*[^ \t\r\n])?/

let kw_single = /auto|allow-[A-Za-z0-9_.:+-]+|no-scripts|no-auto-down|rename/
let kw_list   = /bridge-ports|bridge_ports|bond-slaves|bond_slaves|slaves/
(* ifupdown2 (Proxmox VE's default) also starts a stanza with "vlan", and
   ifupdown-ng with "template"; both read like an iface line. *)
let kw_iface  = /iface|vlan|template/
let kw_other  = kw_iface | /mapping|source|source-directory/

(* Keys are kept as written.  Keywords that start a line of another kind
   are excluded, so an indented "auto" still ends a stanza, and so are the
   iface line's labels: an option "family" would look, in the tree, just
   like the family on the iface line. *)
let key_re = /[A-Za-z0-9_][A-Za-z0-9_.:+-]*/
           - (kw_single | kw_list | kw_other | /family|method|inherits/)

(************************************************************************
 * Comments and blank lines
 *************************************************************************)

(* A "#" with nothing after it is a blank line, as in Util.empty.  Without
   a line ending, a blank line must hold something, or it would match the
   end of every text. *)
let blank_eol   = [ del /[ \t\r]*(#[ \t\r]*)?\n/ "\n" ]
let blank_noeol = [ del /[ \t\r]+|[ \t\r]*#[ \t\r]*/ " " ]

let comment (indent:string) (t:lens) =
  [ del /[ \t]*/ indent . label "#comment" . del /#[ \t]*/ "# "
  . store comment_re . t ]

(* The blanks after "#" go with the text, so that an empty comment does
   not compete with the line ending for them. *)
let trailing_comment =
  [ label "#comment" . del /[ \t]+#/ " #"
  . (del /[ \t]*/ " " . store comment_re)? ]

(************************************************************************
 * Option lines of iface and mapping stanzas
 *************************************************************************)

(* A trailing comment needs a value before it: "key #x" has the value "#x",
   as ifupdown reads it.  New lines are tab-indented, as Proxmox VE writes
   them. *)
let option (t:lens) =
  [ del /[ \t]*/ "\t" . key key_re
  . (sep . store value_re . trailing_comment?)? . t ]

(* One node per port, so that callers need not split values. *)
let list_option (t:lens) =
  [ del /[ \t]*/ "\t" . key kw_list . counter "port"
  . [ sep . seq "port" . store word ]* . trailing_comment? . t ]

let body_line (t:lens) = comment "\t" t | option t | list_option t

let body = (body_line eol | blank_eol)*

(************************************************************************
 * Stanza lines
 *************************************************************************)

(* "inherits" is a keyword, never a family or a method. *)
let fm_word = word - "inherits"

(* A comment after the iface or mapping line cannot be a "#comment" child
   of the stanza: the tree could not tell it from a comment on the next
   line, which is where Proxmox VE puts an interface's comment.  ifupdown
   would read that "#" as a family, method or junk anyway, so the comment
   is only kept for the round trip, in a hidden node whose value is the
   comment as written, from the "#" on. *)
let head_comment =
  [ del /[ \t]+/ " " . store /#([ \t]*[^ \t\r\n]([^\n]*[^ \t\r\n])?)?/ ]

let iface_head =
    del /[ \t]*/ "" . key kw_iface . sep . store word
  . ([ sep . label "family" . store fm_word ]
    . [ sep . label "method" . store fm_word ]?)?
  . [ sep . key "inherits" . sep . store word ]?
  . head_comment?

let mapping_head =
  del /[ \t]*/ "" . key "mapping" . sep . store value_re . head_comment?

let single (t:lens) =
    [ del /[ \t]*/ "" . key kw_single . counter "word"
    . [ sep . seq "word" . store word ]* . trailing_comment? . t ]
  | [ del /[ \t]*/ "" . key /source|source-directory/ . sep
    . store value_re . trailing_comment? . t ]

(************************************************************************
 * File
 *************************************************************************)

let pre       = comment "" eol | blank_eol
let pre_noeol = comment "" noeol | blank_noeol

(* Comments after a one-line stanza stay at the top level; after an iface
   or mapping line they belong to that stanza. *)
let stanza = [ iface_head . eol . body ]
           | [ mapping_head . eol . body ]
           | single eol . pre*

(* The stanza that holds the last line of a text without a final newline.
   Such a line after an iface line is an option; a comment or a blank
   line there goes to the top level instead, for the tree must show
   whether it ends the stanza or the text.  A mapping stanza cannot end such a
   text: supporting it doubled the time augparse takes to typecheck this
   lens, for a construct Proxmox VE never writes. *)
let last_stanza =
    [ iface_head . (noeol | eol . body . (option noeol | list_option noeol)) ]
  | single noeol
  | pre_noeol

let noeol_mark = [ value "noeol" ]

(* The tail is optional rather than one more alternative of a union: with
   a union, glibc's regex engine took 40 s instead of 5 s to match a
   20,000-stanza text. *)
let lns = pre* . stanza* . (last_stanza . noeol_mark)?
