#!/bin/sh
# install.sh: puts an unpacked Adit release archive in place.
#
#   sudo ./install.sh [--prefix /opt/adit] [--no-systemd] [--root DIR]
#
#   PREFIX/bin, PREFIX/lib, PREFIX/deploy   the programs, their jars, units and examples
#                                           (replaced on every run: this is also the upgrade)
#   /usr/local/bin/aditctl                  a link to PREFIX/bin/aditctl
#   /etc/bash_completion.d/aditctl          aditctl's bash completion (needs java)
#   /etc/adit/controller.yaml, agent.yaml   the minimal configs, only where none exists yet:
#                                           an operator's config is never overwritten
#   /etc/systemd/system/adit-*.service      the units, ExecStart under PREFIX (not with --no-systemd)
#   user and group "adit"                   made when missing (as root, without --root)
#
# --root DIR installs everything under DIR instead of / (for packaging and tests): no user is
# made and systemd is not told. Running it again is safe. Needs a JDK or JRE 17+ to run Adit.
set -eu

prefix=/opt/adit
root=
systemd=yes
usage() { echo "usage: install.sh [--prefix DIR] [--no-systemd] [--root DIR]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --root) [ $# -ge 2 ] || usage; root=$2; shift 2 ;;
    --root=*) root=${1#*=}; shift ;;
    --no-systemd) systemd=no; shift ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage ;;
  esac
done
case $prefix in
  /*) ;;
  *) echo "install.sh: --prefix must be an absolute path, not $prefix" >&2; exit 2 ;;
esac
prefix=${prefix%/}
[ -n "$prefix" ] || { echo "install.sh: --prefix / is not a directory of Adit's own: give one such as /opt/adit" >&2; exit 2; }
if [ -n "$root" ]; then
  mkdir -p "$root" && root=$(cd "$root" && pwd -P)
fi

src=$(cd "$(dirname "$0")" && pwd -P)
for f in bin/aditctl bin/adit-controller bin/adit-agent lib/aditctl.jar lib/adit-controller.jar lib/adit-agent.jar; do
  [ -f "$src/$f" ] || { echo "install.sh: $src/$f is missing: run install.sh from an unpacked release archive" >&2; exit 1; }
done
if [ -z "$root" ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: writing $prefix and /etc needs root: run it with sudo (or give --root DIR)" >&2
  exit 1
fi

dest=$root$prefix
say() { echo "install.sh: $*"; }

# The prefix is Adit's own: bin/, lib/ and deploy/ are replaced whole, so a directory that holds
# anything else (/usr/local, say) is refused. .adit-install marks a directory made here.
if [ -d "$dest" ] && [ ! -f "$dest/.adit-install" ] && [ -n "$(ls -A "$dest")" ]; then
  echo "install.sh: $dest already holds other files: give --prefix a directory of Adit's own (the default is /opt/adit)" >&2
  exit 1
fi
mkdir -p "$dest"
basename "$src" >"$dest/.adit-install"
# Each is replaced through a copy beside it and a rename.
for d in bin lib deploy; do
  rm -rf "${dest:?}/.$d.new"
  cp -R "$src/$d" "$dest/.$d.new"
  rm -rf "${dest:?}/$d"
  mv "$dest/.$d.new" "$dest/$d"
done
chmod 0755 "$dest/bin/"*
if [ "$src" != "$dest" ]; then
  cp "$src/install.sh" "$dest/install.sh"
  [ ! -f "$src/README.md" ] || cp "$src/README.md" "$dest/README.md"
fi
say "installed bin/, lib/ and deploy/ in $dest"

mkdir -p "$root/usr/local/bin"
ln -sfn "$prefix/bin/aditctl" "$root/usr/local/bin/aditctl"
say "linked $root/usr/local/bin/aditctl -> $prefix/bin/aditctl"

java=${JAVA_HOME:+$JAVA_HOME/bin/}java
if command -v "$java" >/dev/null 2>&1; then
  mkdir -p "$root/etc/bash_completion.d"
  if "$java" -jar "$dest/lib/aditctl.jar" completion bash >"$root/etc/bash_completion.d/.aditctl.new" 2>/dev/null; then
    mv "$root/etc/bash_completion.d/.aditctl.new" "$root/etc/bash_completion.d/aditctl"
    say "wrote bash completion to $root/etc/bash_completion.d/aditctl"
  else
    rm -f "$root/etc/bash_completion.d/.aditctl.new"
    say "could not write the bash completion (aditctl completion bash failed); skipped"
  fi
else
  say "java is not on PATH: install a JDK or JRE 17+ (apt-get install openjdk-17-jre-headless) before starting Adit"
fi

mkdir -p "$root/etc/adit"
for c in controller agent; do
  if [ -e "$root/etc/adit/$c.yaml" ]; then
    say "kept the existing $root/etc/adit/$c.yaml"
  elif [ -f "$src/deploy/config/$c.yaml" ]; then
    cp "$src/deploy/config/$c.yaml" "$root/etc/adit/$c.yaml"
    chmod 0644 "$root/etc/adit/$c.yaml"
    say "wrote $root/etc/adit/$c.yaml (every setting, commented: $prefix/deploy/config/$c.example.yaml)"
  fi
done

if [ $systemd = yes ]; then
  if [ -z "$root" ]; then
    if id adit >/dev/null 2>&1; then
      say "user adit exists"
    else
      nologin=$(command -v nologin || echo /usr/sbin/nologin)
      useradd --system --user-group --home-dir /var/lib/adit --no-create-home --shell "$nologin" \
        --comment "Adit TLS tunnels" adit
      say "made the system user adit"
    fi
  else
    say "--root: no user made (the units run as adit: useradd --system --user-group adit on the target)"
  fi
  mkdir -p "$root/etc/systemd/system"
  for u in adit-controller adit-agent; do
    sed "s#/opt/adit/bin/#$prefix/bin/#g" "$src/deploy/systemd/$u.service" >"$root/etc/systemd/system/.$u.service.new"
    chmod 0644 "$root/etc/systemd/system/.$u.service.new"
    mv "$root/etc/systemd/system/.$u.service.new" "$root/etc/systemd/system/$u.service"
  done
  say "installed $root/etc/systemd/system/adit-controller.service and adit-agent.service"
  if [ -z "$root" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
  fi
fi

cat <<EOT

Next steps:
  on the controller host (etcd reachable; settings in /etc/adit/controller.yaml):
    systemctl enable --now adit-controller
    journalctl -u adit-controller                      # "controller listening"
    sudo ADIT_CONFIG=/var/lib/adit/controller/admin.conf aditctl node token create --ttl 1h
  on each node (settings in /etc/adit/agent.yaml: controller, name):
    sudo sh -c 'umask 077; echo TOKEN >/etc/adit/join-token'
    systemctl enable --now adit-agent
    journalctl -u adit-agent
  aditctl --version
EOT
[ $systemd = yes ] || echo "  (--no-systemd: run $prefix/bin/adit-controller and adit-agent with --config yourself)"
