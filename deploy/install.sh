#!/usr/bin/env bash
# Install softpower-bot as a service on a Linux server (Debian/Ubuntu), from this checkout.
#
#   sudo bash deploy/install.sh                 # the real thing: user, venv, config, unit
#   bash deploy/install.sh --root /tmp/try      # everything under /tmp/try, as if it were /
#
# What it makes (each step is skipped when its result is already there, so running it
# again upgrades the bot and keeps the admin's config, secrets and state):
#   system user softpower-bot (no login, home /var/lib/softpower-bot)
#   /opt/softpower-bot/venv                   the bot and its dependencies (pip, from PyPI;
#                                             SOFTPOWER_PIP_ARGS for a mirror)
#   /etc/softpower-bot/config.yaml            from config.example.yaml, state_dir set (0640)
#   /etc/softpower-bot/softpower-bot.env      secrets for systemd, from the example (0600)
#   /var/lib/softpower-bot                    state, outbox, last reads (owned by the user)
#   /etc/systemd/system/softpower-bot.service enabled, not started: edit the config first
#
# --root DIR puts all of it under DIR and writes paths under DIR into the config and the
# unit, so `DIR/opt/softpower-bot/venv/bin/softpower-bot --config DIR/etc/softpower-bot/
# config.yaml status` works at once (tests, containers, a trial run). With --root, no user
# is created, nothing is chown'd and systemd is not touched.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT=""
PYTHON="${PYTHON:-python3}"
USER_NAME="softpower-bot"

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --python) PYTHON="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo bash deploy/install.sh), or try it out with --root DIR" >&2
  exit 2
fi

OPT="$ROOT/opt/softpower-bot"
ETC="$ROOT/etc/softpower-bot"
VAR="$ROOT/var/lib/softpower-bot"
UNIT_DIR="$ROOT/etc/systemd/system"
say() { echo "install.sh: $*"; }

if [ -z "$ROOT" ] && ! id "$USER_NAME" >/dev/null 2>&1; then
  say "creating the system user $USER_NAME"
  useradd --system --home-dir /var/lib/softpower-bot --shell /usr/sbin/nologin "$USER_NAME"
fi

say "installing the bot into $OPT/venv (first time: a minute or two)"
install -d -m 0755 "$OPT"
[ -x "$OPT/venv/bin/python" ] || "$PYTHON" -m venv "$OPT/venv"
# SOFTPOWER_PIP_ARGS: extra pip options, e.g. an offline mirror on a closed network:
#   SOFTPOWER_PIP_ARGS="--no-index --find-links /srv/wheels" bash deploy/install.sh
# shellcheck disable=SC2086  # the options are meant to split
"$OPT/venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade \
  ${SOFTPOWER_PIP_ARGS:-} "$SRC"

install -d -m 0755 "$ETC"
if [ ! -f "$ETC/config.yaml" ]; then
  say "writing $ETC/config.yaml (edit it: provinces, spreadsheets, channels)"
  # The bot's own files (state, outbox, last reads) go to the state folder, not /etc.
  sed "s|^daemon:$|state_dir: $VAR   # ไฟล์ของบอทเอง (สถานะ กล่องข้อความ ข้อมูลล่าสุด)\n\ndaemon:|" \
    "$SRC/config.example.yaml" > "$ETC/config.yaml.new"
  mv "$ETC/config.yaml.new" "$ETC/config.yaml"
  chmod 0640 "$ETC/config.yaml"
else
  say "keeping the existing $ETC/config.yaml"
fi
if [ ! -f "$ETC/softpower-bot.env" ]; then
  say "writing $ETC/softpower-bot.env (put the real secrets in it; only root can read it)"
  (umask 077 && cp "$SRC/deploy/softpower-bot.env.example" "$ETC/softpower-bot.env")
fi
chmod 0600 "$ETC/softpower-bot.env"

install -d -m 0750 "$VAR"

install -d -m 0755 "$UNIT_DIR"
sed -e "s|/opt/softpower-bot|$OPT|g" -e "s|/etc/softpower-bot|$ETC|g" \
    -e "s|/var/lib/softpower-bot|$VAR|g" \
    "$SRC/deploy/softpower-bot.service" > "$UNIT_DIR/softpower-bot.service"
chmod 0644 "$UNIT_DIR/softpower-bot.service"

if [ -z "$ROOT" ]; then
  chgrp "$USER_NAME" "$ETC/config.yaml"
  chown "$USER_NAME:$USER_NAME" "$VAR"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable softpower-bot.service
    say "enabled softpower-bot.service; after editing the config: systemctl start softpower-bot"
  else
    say "systemd is not running here: start the bot with $OPT/venv/bin/softpower-bot run"
  fi
fi

say "done. Next: edit $ETC/config.yaml and $ETC/softpower-bot.env, then"
say "  $OPT/venv/bin/softpower-bot --config $ETC/config.yaml doctor"
