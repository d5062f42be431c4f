# Sourced by the voice test scripts: `port_range_init DIR` once, then `free_port` for every port.
#
# Ports come from 10000-19999, outside the kernel's ephemeral range (32768-60999, where the
# sockets of every other program land, and which a port found by binding port 0 is drawn from)
# and outside Switchboard's RTP range (20000-39999). Each call hands out a fresh block of four
# ports (SIPp's media port uses the next ones for RTCP and video), checked free on UDP and TCP
# for every port of the block, and no block is handed out twice in a run. The run starts at a
# random block so that two runs side by side rarely try the same ports; the bind test skips the
# ones in use anyway.

port_range_init() {  # port_range_init DIR: the counter lives in DIR/next_port
  _port_file="$1/next_port"
  echo $((10000 + (RANDOM % 2400) * 4)) >"$_port_file"
}

free_port() {
  python3 - "$_port_file" <<'PY'
import fcntl, socket, sys

LOW, HIGH, BLOCK = 10000, 20000, 4

def free(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True

with open(sys.argv[1], "r+") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    nxt = int(f.read().strip())
    for _ in range((HIGH - LOW) // BLOCK):
        if nxt + BLOCK > HIGH:
            nxt = LOW
        candidate, nxt = nxt, nxt + BLOCK
        if all(free(candidate + i) for i in range(BLOCK)):
            f.seek(0)
            f.truncate()
            f.write(str(nxt))
            print(candidate)
            sys.exit(0)
sys.exit("no free block of ports in 10000-19999")
PY
}
