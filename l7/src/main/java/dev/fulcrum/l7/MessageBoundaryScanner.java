package dev.fulcrum.l7;

import io.netty.buffer.ByteBuf;

/**
 * Follows the raw bytes of a client's request stream far enough to know where each header
 * block starts and ends, and where each body ends, so the stream guard can time header blocks
 * and refuse obs-fold (a header line continued on the next line), which the decoder would
 * silently join. The decoder stays the authority on framing: after each header block the
 * guard hands over the body framing the decoder found ({@link #expectBody}). Anything malformed
 * is left for the decoder to refuse; this scanner only has to find boundaries in valid input.
 */
final class MessageBoundaryScanner {

    /** What {@link #scan} stopped at. */
    enum Event {
        /** Ran out of bytes. */
        NONE,
        /** The first byte of a request head (leading blank lines are not part of it). */
        HEAD_STARTED,
        /** The blank line ending a request head; the scan stopped after it. */
        HEAD_ENDED,
        /** The end of a request body; the scan stopped after it. */
        MESSAGE_ENDED,
        /** A header or trailer line starting with a space or tab; the scan stopped at it. */
        OBS_FOLD
    }

    private enum State {
        BEFORE_HEAD, REQUEST_LINE, LINE_START, HEADER_LINE, BLANK_CR,
        AWAITING_FRAMING, FIXED_BODY, CHUNK_SIZE, CHUNK_LINE, CHUNK_DATA, CHUNK_DATA_END,
        TRAILER_START, TRAILER_LINE, TRAILER_CR, PASS_THROUGH
    }

    private State state = State.BEFORE_HEAD;
    private long remaining;
    private boolean hexDigits;
    private Event event = Event.NONE;

    /** The event the last {@link #scan} stopped at. */
    Event event() {
        return event;
    }

    boolean isBetweenRequests() {
        return state == State.BEFORE_HEAD;
    }

    boolean isInHead() {
        return state == State.REQUEST_LINE || state == State.LINE_START || state == State.HEADER_LINE
                || state == State.BLANK_CR;
    }

    boolean isInBody() {
        return state.ordinal() >= State.FIXED_BODY.ordinal() && state != State.PASS_THROUGH;
    }

    /** The decoder's framing for the head just ended: a length, or -1 for chunked. */
    void expectBody(long contentLength) {
        if (state != State.AWAITING_FRAMING) {
            return;
        }
        if (contentLength < 0) {
            state = State.CHUNK_SIZE;
            remaining = 0;
            hexDigits = false;
        } else if (contentLength == 0) {
            state = State.BEFORE_HEAD;
        } else {
            state = State.FIXED_BODY;
            remaining = contentLength;
        }
    }

    /** Called after a head was handed to the decoder: no framing means it was refused. */
    void framingUnknownUnlessGiven() {
        if (state == State.AWAITING_FRAMING) {
            state = State.PASS_THROUGH;
        }
    }

    /**
     * Scans {@code buf} from {@code from} (inclusive) to {@code to} (exclusive) and returns
     * where it stopped: after the event's byte, at the offending byte for {@link Event#OBS_FOLD},
     * or {@code to}.
     */
    int scan(ByteBuf buf, int from, int to) {
        event = Event.NONE;
        int i = from;
        while (i < to) {
            switch (state) {
                case PASS_THROUGH, AWAITING_FRAMING -> {
                    return to;
                }
                case FIXED_BODY -> {
                    long n = Math.min(remaining, to - i);
                    i += (int) n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.BEFORE_HEAD;
                        event = Event.MESSAGE_ENDED;
                        return i;
                    }
                    continue;
                }
                case CHUNK_DATA -> {
                    long n = Math.min(remaining, to - i);
                    i += (int) n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_DATA_END;
                    }
                    continue;
                }
                default -> {
                    // byte-wise states below
                }
            }
            byte b = buf.getByte(i++);
            switch (state) {
                case BEFORE_HEAD -> {
                    // As the decoder does: control characters and white space before a request line are skipped.
                    char c = (char) (b & 0xFF);
                    if (!Character.isISOControl(c) && !Character.isWhitespace(c)) {
                        state = State.REQUEST_LINE;
                        event = Event.HEAD_STARTED;
                        return i;
                    }
                }
                case REQUEST_LINE, HEADER_LINE -> {
                    if (b == '\n') {
                        state = State.LINE_START;
                    }
                }
                case LINE_START -> {
                    if (b == '\n') {
                        return headEnded(i);
                    } else if (b == '\r') {
                        state = State.BLANK_CR;
                    } else if (b == ' ' || b == '\t') {
                        event = Event.OBS_FOLD;
                        return i - 1;
                    } else {
                        state = State.HEADER_LINE;
                    }
                }
                case BLANK_CR -> {
                    if (b == '\n') {
                        return headEnded(i);
                    }
                    state = State.HEADER_LINE;
                }
                case CHUNK_SIZE -> {
                    int digit = Character.digit(b, 16);
                    if (digit >= 0 && remaining >= (1L << 58)) {
                        // Larger than the decoder accepts: it refuses the chunk.
                        state = State.PASS_THROUGH;
                    } else if (digit >= 0) {
                        remaining = remaining * 16 + digit;
                        hexDigits = true;
                    } else if (b == '\n') {
                        chunkSizeEnded();
                    } else {
                        state = State.CHUNK_LINE;
                    }
                }
                case CHUNK_LINE -> {
                    if (b == '\n') {
                        chunkSizeEnded();
                    }
                }
                case CHUNK_DATA_END -> {
                    if (b == '\n') {
                        state = State.CHUNK_SIZE;
                        remaining = 0;
                        hexDigits = false;
                    }
                }
                case TRAILER_START -> {
                    if (b == '\n') {
                        return messageEnded(i);
                    } else if (b == '\r') {
                        state = State.TRAILER_CR;
                    } else if (b == ' ' || b == '\t') {
                        event = Event.OBS_FOLD;
                        return i - 1;
                    } else {
                        state = State.TRAILER_LINE;
                    }
                }
                case TRAILER_LINE -> {
                    if (b == '\n') {
                        state = State.TRAILER_START;
                    }
                }
                case TRAILER_CR -> {
                    if (b == '\n') {
                        return messageEnded(i);
                    }
                    state = State.TRAILER_LINE;
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
        return to;
    }

    private int headEnded(int i) {
        state = State.AWAITING_FRAMING;
        event = Event.HEAD_ENDED;
        return i;
    }

    private int messageEnded(int i) {
        state = State.BEFORE_HEAD;
        event = Event.MESSAGE_ENDED;
        return i;
    }

    private void chunkSizeEnded() {
        if (!hexDigits) {
            // Not a chunk size: the decoder refuses it; nothing after it is worth following.
            state = State.PASS_THROUGH;
        } else if (remaining == 0) {
            state = State.TRAILER_START;
        } else {
            state = State.CHUNK_DATA;
        }
    }
}
