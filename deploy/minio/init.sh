#!/bin/sh
# The one-shot compose service minio-init (image minio/mc), run as MinIO's root user (MC_HOST_local):
# creates the bucket, then one MinIO user per farm role with a policy that reaches this bucket only
# (farm-bucket-policy.json: list it, read, write and delete its objects; no other bucket, no admin API):
#   $S3_API_ACCESS_KEY     the API (uploads sources, presigns results)
#   $S3_FARM_ACCESS_KEY    the coordinator and the assembler
#   $S3_WORKER_ACCESS_KEY  the workers
# The root credentials stay in the minio and minio-init services. Re-running it is harmless: the
# bucket is kept, the users' secret keys are set again from the environment.
set -eu
mc mb --ignore-existing local/upscalefarm
mc admin policy create local upscalefarm-bucket /init/farm-bucket-policy.json
add_user() { # access key, secret key
  mc admin user add local "$1" "$2"
  # attach fails when the policy is already attached (a re-run): check that it is.
  mc admin policy attach local upscalefarm-bucket --user "$1" >/dev/null 2>&1 ||
    mc admin user info local "$1" | grep -q upscalefarm-bucket
  echo "minio-init: user $1 may use bucket upscalefarm"
}
add_user "$S3_API_ACCESS_KEY" "$S3_API_SECRET_KEY"
add_user "$S3_FARM_ACCESS_KEY" "$S3_FARM_SECRET_KEY"
add_user "$S3_WORKER_ACCESS_KEY" "$S3_WORKER_SECRET_KEY"
