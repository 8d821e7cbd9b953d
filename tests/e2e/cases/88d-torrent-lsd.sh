#!/bin/bash
# BitTorrent without a tracker: two guests and a seeder (netinit's transport, which got the
# image from the web seed first) on one segment find each other by Local Service Discovery
# (BEP 14 multicast) and boot the same root=live:torrent:// from the seeder and each other,
# not from the origin (tests/e2e/torrent-fleet.sh).
. "$(dirname "$0")/../lib.sh"
FLEET_GUESTS=2 FLEET_TRACKER=0
. "$(dirname "$0")/../torrent-fleet.sh"
