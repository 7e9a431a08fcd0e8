#!/bin/sh
# The compose service seaweedfs (image chrislusf/seaweedfs): one SeaweedFS process (master, volume
# server, filer and S3 gateway) holding the farm's sources, tiles and results.
# Writes the S3 identities file from the environment first, since SeaweedFS reads credentials only from
# a file: one identity per farm role, each allowed to read, write (and delete) and list the farm's bucket
# and nothing else; there is no administrator identity, and the bucket itself is made by seaweedfs-init
# through the master (deploy/seaweedfs/init.sh). The file lives on a tmpfs (docker-compose.yml), never on
# the data volume.
#   S3_BUCKET                                  the bucket
#   S3_{API,FARM,WORKER}_{ACCESS,SECRET}_KEY   the roles' keys (letters, digits and - _ . only)
#   SEAWEEDFS_S3_CONFIG                        where to write the file (default /run/seaweedfs/s3.json)
#   WEED                                       the SeaweedFS binary (default weed; the deploy check runs
#                                              this script with a stand-in)
set -eu
config="${SEAWEEDFS_S3_CONFIG:-/run/seaweedfs/s3.json}"

# The values go into JSON as they are: refuse anything that would need quoting.
plain() { # name value
  case "$2" in
    "" | *[!A-Za-z0-9._-]*) echo "seaweedfs: $1 must be set, with letters, digits and - _ . only" >&2; exit 64 ;;
  esac
}
plain S3_BUCKET "${S3_BUCKET:-}"
identity() { # name access-key secret-key
  printf '{"name":"%s","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Read:%s","Write:%s","List:%s"]}' \
    "$1" "$2" "$3" "$S3_BUCKET" "$S3_BUCKET" "$S3_BUCKET"
}
identities=""
for role in API FARM WORKER; do
  eval "access=\${S3_${role}_ACCESS_KEY:-}; secret=\${S3_${role}_SECRET_KEY:-}"
  plain "S3_${role}_ACCESS_KEY" "$access"
  plain "S3_${role}_SECRET_KEY" "$secret"
  name="upscalefarm-$(echo "$role" | tr 'A-Z' 'a-z')"
  identities="${identities:+$identities,}$(identity "$name" "$access" "$secret")"
done
umask 077
mkdir -p "$(dirname "$config")"
printf '{"identities":[%s]}\n' "$identities" >"$config"

# -ip: the name the master hands out for the filer and volume server (seaweedfs-init's weed shell asks
# the master where the filer is). -master.peers=none: one master, no Raft quorum to wait for.
# -master.telemetry=false: SeaweedFS reports usage to telemetry.seaweedfs.com by default, and the farm
# makes no outbound call its operator did not configure. -volume.max=0: as many 1 GiB volumes as the
# disk holds (the default of 8 volumes of 30 GB would stop writes on a small disk long before it is
# full). -s3.port.iceberg=0 -s3.port.lance=0: no catalog listeners the farm does not use.
exec "${WEED:-weed}" server -dir=/data -ip=seaweedfs -ip.bind=0.0.0.0 \
  -master.peers=none -master.telemetry=false -master.volumeSizeLimitMB=1024 -volume.max=0 \
  -s3 -s3.port=8333 -s3.config="$config" -s3.port.iceberg=0 -s3.port.lance=0 -metricsPort=9327
