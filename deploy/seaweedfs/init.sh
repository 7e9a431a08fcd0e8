#!/bin/sh
# The one-shot compose service seaweedfs-init (image chrislusf/seaweedfs): makes the farm's bucket
# through SeaweedFS's master (weed shell), then exits. Needs no S3 key: the S3 identities
# (deploy/seaweedfs/start.sh) may use the bucket but not create one. Re-running it keeps the bucket.
# weed shell's exit status does not tell whether a command worked, so the bucket list is the proof:
# create, list, and try again (at most SEAWEEDFS_INIT_ATTEMPTS times, default 60, 2 s apart) until the
# bucket is listed.
#   S3_BUCKET  the bucket;  SEAWEEDFS_MASTER  host:port of the master (default seaweedfs:9333)
set -eu
master="${SEAWEEDFS_MASTER:-seaweedfs:9333}"
case "${S3_BUCKET:-}" in
  "" | *[!a-z0-9.-]*) echo "seaweedfs-init: S3_BUCKET must be set, lower-case letters, digits, . and - only" >&2; exit 64 ;;
esac
listed() { echo "s3.bucket.list" | weed shell -master="$master" 2>/dev/null | grep -Eq "(^|[[:space:]])$S3_BUCKET([[:space:]]|\$)"; }
attempts="${SEAWEEDFS_INIT_ATTEMPTS:-60}"
attempt=0
while [ "$attempt" -lt "$attempts" ]; do
  if listed; then echo "seaweedfs-init: bucket $S3_BUCKET is there"; exit 0; fi
  echo "s3.bucket.create -name $S3_BUCKET" | weed shell -master="$master" >/dev/null 2>&1 || true
  attempt=$((attempt + 1))
  sleep "${SEAWEEDFS_INIT_DELAY:-2}"
done
echo "seaweedfs-init: bucket $S3_BUCKET still missing after $attempt attempts (is seaweedfs up?)" >&2
exit 1
