#!/bin/sh
# The one-shot compose service rabbitmq-init (the rabbitmq management image, which ships rabbitmqadmin
# v2): as the broker's administrator (RABBITMQ_DEFAULT_USER, for the management UI and this script
# only), declares the farm's user, without management tags, with configure/write/read on the vhost /
# (the farm declares and uses its own queues and exchanges there). Idempotent: a re-run sets the
# password again from the environment.
set -eu
admin() {
  rabbitmqadmin --host rabbitmq --port 15672 --username "$RABBITMQ_ADMIN_USER" --password "$RABBITMQ_ADMIN_PASSWORD" --vhost / "$@"
}
# The healthcheck waits for the AMQP port; the management listener may come a moment later.
tries=0
until admin show overview >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -le 60 ] || { echo "rabbitmq-init: the management API at rabbitmq:15672 did not answer" >&2; exit 1; }
  sleep 2
done
admin declare user --name "$RABBITMQ_FARM_USER" --password "$RABBITMQ_FARM_PASSWORD" --tags ""
admin declare permissions --user "$RABBITMQ_FARM_USER" --configure ".*" --write ".*" --read ".*"
echo "rabbitmq-init: user $RABBITMQ_FARM_USER may use vhost /"
