"""A minimal AMQP 0-9-1 client for the benchmark's queue: declare (and count), bind, purge, delete.

Standard library only (no pika); plain TCP, PLAIN authentication, one channel, no heartbeats.
Only the synchronous methods it needs; anything unexpected from the broker raises.
"""

import socket
import struct

FRAME_METHOD = 1
FRAME_HEARTBEAT = 8
FRAME_END = 0xCE


def _shortstr(s):
    b = s.encode()
    return struct.pack("!B", len(b)) + b


def _longstr(b):
    return struct.pack("!I", len(b)) + b


EMPTY_TABLE = struct.pack("!I", 0)


class AMQPError(Exception):
    pass


class AMQPAdmin:
    def __init__(self, host, port, user, password, vhost="/", timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.sock.sendall(b"AMQP\x00\x00\x09\x01")
        self._expect(0, 10, 10)  # connection.start
        start_ok = EMPTY_TABLE + _shortstr("PLAIN") + _longstr(b"\0" + user.encode() + b"\0" + password.encode()) + _shortstr("en_US")
        self._send_method(0, 10, 11, start_ok)
        tune = self._expect(0, 10, 30)
        channel_max, frame_max, _heartbeat = struct.unpack("!HIH", tune[:8])
        self._send_method(0, 10, 31, struct.pack("!HIH", channel_max, frame_max, 0))
        self._send_method(0, 10, 40, _shortstr(vhost) + _shortstr("") + b"\x00")
        self._expect(0, 10, 41)  # connection.open-ok
        self._send_method(1, 20, 10, _shortstr(""))
        self._expect(1, 20, 11)  # channel.open-ok

    # ---------------------------------------------------------------- frames
    def _send_method(self, channel, class_id, method_id, args):
        payload = struct.pack("!HH", class_id, method_id) + args
        self.sock.sendall(struct.pack("!BHI", FRAME_METHOD, channel, len(payload)) + payload + bytes([FRAME_END]))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AMQPError("connection closed by the broker")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _frame(self):
        ftype, channel, size = struct.unpack("!BHI", self._read(7))
        payload = self._read(size)
        if self._read(1)[0] != FRAME_END:
            raise AMQPError("bad frame end")
        return ftype, channel, payload

    def _expect(self, channel, class_id, method_id):
        while True:
            ftype, ch, payload = self._frame()
            if ftype == FRAME_HEARTBEAT:
                continue
            if ftype != FRAME_METHOD:
                raise AMQPError("unexpected frame type %d" % ftype)
            cls, meth = struct.unpack("!HH", payload[:4])
            if (cls, meth) in ((10, 50), (20, 40)):  # connection.close / channel.close
                code = struct.unpack("!H", payload[4:6])[0]
                text = payload[7:7 + payload[6]].decode(errors="replace")
                raise AMQPError("broker closed the %s: %d %s" % ("connection" if cls == 10 else "channel", code, text))
            if (ch, cls, meth) != (channel, class_id, method_id):
                raise AMQPError("expected %d.%d on channel %d, got %d.%d on %d" % (class_id, method_id, channel, cls, meth, ch))
            return payload[4:]

    # ---------------------------------------------------------------- queue methods
    def declare_queue(self, name, durable=True, passive=False):
        """Returns the queue's ready message count."""
        bits = (1 if passive else 0) | (2 if durable else 0)
        self._send_method(1, 50, 10, struct.pack("!H", 0) + _shortstr(name) + bytes([bits]) + EMPTY_TABLE)
        ok = self._expect(1, 50, 11)
        n = ok[0]
        messages, _consumers = struct.unpack("!II", ok[1 + n:9 + n])
        return messages

    def bind_queue(self, name, exchange, routing_key):
        self._send_method(1, 50, 20, struct.pack("!H", 0) + _shortstr(name) + _shortstr(exchange) + _shortstr(routing_key)
                          + b"\x00" + EMPTY_TABLE)
        self._expect(1, 50, 21)

    def purge_queue(self, name):
        self._send_method(1, 50, 30, struct.pack("!H", 0) + _shortstr(name) + b"\x00")
        return struct.unpack("!I", self._expect(1, 50, 31)[:4])[0]

    def delete_queue(self, name):
        self._send_method(1, 50, 40, struct.pack("!H", 0) + _shortstr(name) + b"\x00")
        return struct.unpack("!I", self._expect(1, 50, 41)[:4])[0]

    # ---------------------------------------------------------------- publishing with confirms
    def confirm_rounds(self, exchange, routing_key, body, batch, rounds, persistent=True):
        """Publishes `rounds` batches of `batch` messages with publisher confirms, each batch
        pipelined and then awaited as the node's AMQPBackend does; returns each round's seconds.
        The broker's floor for one publisher round, without PostgreSQL or rendering."""
        import time

        if not getattr(self, "confirming", False):
            self._send_method(1, 85, 10, b"\x00")
            self._expect(1, 85, 11)  # confirm.select-ok
            self.confirming = True
            self.tag = 0
        props = struct.pack("!HB", 0x1000, 2 if persistent else 1)  # delivery-mode only
        header_payload = struct.pack("!HHQ", 60, 0, len(body)) + props
        method_payload = struct.pack("!HH", 60, 40) + struct.pack("!H", 0) + _shortstr(exchange) + _shortstr(routing_key) + b"\x00"
        one = (struct.pack("!BHI", FRAME_METHOD, 1, len(method_payload)) + method_payload + bytes([FRAME_END])
               + struct.pack("!BHI", 2, 1, len(header_payload)) + header_payload + bytes([FRAME_END])
               + struct.pack("!BHI", 3, 1, len(body)) + body + bytes([FRAME_END]))
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            self.sock.sendall(one * batch)
            target = self.tag + batch
            acked = self.tag
            while acked < target:
                ftype, ch, payload = self._frame()
                if ftype != FRAME_METHOD:
                    continue
                cls, meth = struct.unpack("!HH", payload[:4])
                if (cls, meth) == (60, 80):  # basic.ack
                    tag, bits = struct.unpack("!QB", payload[4:13])
                    acked = max(acked, tag)
                elif (cls, meth) == (60, 120):  # basic.nack
                    raise AMQPError("broker nacked a publish")
                else:
                    raise AMQPError("unexpected method %d.%d while waiting for confirms" % (cls, meth))
            self.tag = target
            times.append(time.perf_counter() - t0)
        return times

    def close(self):
        try:
            self._send_method(0, 10, 50, struct.pack("!H", 200) + _shortstr("bye") + struct.pack("!HH", 0, 0))
            self._expect(0, 10, 51)
        except (OSError, AMQPError):
            pass
        self.sock.close()
