#!/usr/bin/env bash
# udev_rules.sh RULES - the udev rules shipped for the boards' FTDI chips are well formed and
# cover every board's chip:
#   - every non-comment line is comma-separated udev keys, each KEY=="VALUE" (a match) or
#     KEY="VALUE" / KEY+="VALUE" (an assignment), the keys from the set used here, and has
#     SUBSYSTEM=="usb", ATTRS{idVendor}, ATTRS{idProduct} and an access assignment;
#   - the VID:PIDs the usb: transport documents for the boards (sgpu --help: usb:0403:6010,
#     usb:0403:6015) each have a line.
set -u
rules=${1:?usage: udev_rules.sh RULES SGPU}
cli=${2:?usage: udev_rules.sh RULES SGPU}
fail=0
n=0
while IFS= read -r line; do
  n=$((n + 1))
  [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
  IFS=',' read -ra keys <<<"$line"
  for k in "${keys[@]}"; do
    k=${k#"${k%%[![:space:]]*}"}; k=${k%"${k##*[![:space:]]}"}
    if ! [[ "$k" =~ ^(SUBSYSTEM|ATTRS\{idVendor\}|ATTRS\{idProduct\})==\"[0-9a-z]+\"$ ||
            "$k" =~ ^(MODE|GROUP)=\"[0-9a-z]+\"$ || "$k" =~ ^TAG\+=\"uaccess\"$ ]]; then
      echo "FAIL  $rules:$n: '$k' is not a key this file should hold"; fail=1
    fi
  done
  for need in 'SUBSYSTEM=="usb"' 'ATTRS{idVendor}=="' 'ATTRS{idProduct}=="' 'MODE="06'; do
    [[ "$line" == *"$need"* ]] || { echo "FAIL  $rules:$n: no $need"; fail=1; }
  done
done <"$rules"
ids=$("$cli" --help | grep -o 'usb:[0-9a-f]\{4\}:[0-9a-f]\{4\}' | sort -u)
[ -n "$ids" ] || { echo "FAIL  sgpu --help names no usb:VID:PID"; fail=1; }
for id in $ids; do
  vid=${id:4:4}; pid=${id:9:4}
  if grep -q "ATTRS{idVendor}==\"$vid\", ATTRS{idProduct}==\"$pid\"" "$rules"; then
    echo "ok    $id has a rule"
  else
    echo "FAIL  $id (sgpu --help) has no rule in $rules"; fail=1
  fi
done
[ $fail -eq 0 ] && echo "udev rules: $rules well formed, every board's chip covered"
exit $fail
