#!/bin/bash
# A fleet by BitTorrent on one segment: three guests boot the same root=live:torrent:// at once
# with a tracker (opentracker), one aria2c seeder and a web seed; they feed each other and the
# origin's byte count for the image shows what the peers saved (tests/e2e/torrent-fleet.sh).
. "$(dirname "$0")/../lib.sh"
FLEET_GUESTS=3 FLEET_TRACKER=1
. "$(dirname "$0")/../torrent-fleet.sh"
