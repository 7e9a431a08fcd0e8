#!/bin/sh
# Makes the farm's bucket in SeaweedFS through its master and filer (`weed shell`), if it is missing, then
# exits: the one-shot compose service seaweedfs-init, and the chart's bucket Job (which ships this file,
# helm/upscalefarm/files/). Needs no S3 key: the S3 identities (start.sh, the chart's Secret) may use the
# bucket but not create one. Re-running it changes nothing.
# What `weed shell` does (SeaweedFS 4.44, weed/shell), and why the script is shaped so:
#   - -master=HOST:9333 and -filer=HOST:8888 are HTTP addresses; the shell dials their gRPC ports (+10000).
#   - Without a terminal it reads commands from stdin and exits 0 even when a command fails (it prints
#     "error: …" on stderr), and it waits for the master without end: each call gets a timeout, a failed
#     listing is told by that "error:" line, and success is the bucket appearing in `s3.bucket.list`
#     (lines "  NAME<TAB>size:…").
#   - It logs to files under /tmp (an emptyDir in the chart: the root filesystem is read-only).
#   S3_BUCKET                 the bucket (lower-case letters, digits, . and -)
#   SEAWEEDFS_HOST            the server's host name (default seaweedfs)
#   SEAWEEDFS_INIT_ATTEMPTS   listings before giving up (default 100), SEAWEEDFS_INIT_DELAY seconds apart (3)
set -u
host="${SEAWEEDFS_HOST:-seaweedfs}"
scratch="${TMPDIR:-/tmp}"
case "${S3_BUCKET:-}" in
  "" | *[!a-z0-9.-]*) echo "seaweedfs-init: S3_BUCKET must be set, lower-case letters, digits, . and - only" >&2; exit 64 ;;
esac
ws() { # one weed shell command: its output on stdout, "error: …" lines on stderr
  echo "$1" | timeout 60 weed shell -master="$host:9333" -filer="$host:8888"
}
listed() { # the bucket list, in $scratch/buckets; false when the shell or the listing failed
  ws s3.bucket.list >"$scratch/buckets" 2>"$scratch/list.err" && ! grep -q '^error:' "$scratch/list.err"
}
attempt=0
while [ "$attempt" -lt "${SEAWEEDFS_INIT_ATTEMPTS:-100}" ]; do
  if listed; then
    if awk -v b="$S3_BUCKET" '$1 == b { found = 1 } END { exit !found }' "$scratch/buckets"; then
      echo "seaweedfs-init: bucket $S3_BUCKET is there"
      exit 0
    fi
    echo "seaweedfs-init: creating bucket $S3_BUCKET"
    ws "s3.bucket.create -name $S3_BUCKET"
  else
    echo "seaweedfs-init: waiting for SeaweedFS at $host"
    cat "$scratch/list.err" >&2
  fi
  attempt=$((attempt + 1))
  sleep "${SEAWEEDFS_INIT_DELAY:-3}"
done
echo "seaweedfs-init: SeaweedFS at $host does not list the bucket $S3_BUCKET after $attempt attempts" >&2
exit 1
