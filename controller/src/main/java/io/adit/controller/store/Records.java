package io.adit.controller.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.adit.controller.errors.FailedPreconditionException;

/** Decoding stored protobuf records; a corrupt record names its key instead of a parser error. */
public final class Records {
  private Records() {}

  public static <T extends Message> T parse(Parser<T> parser, Kv.Entry entry) {
    try {
      return parser.parseFrom(entry.value());
    } catch (InvalidProtocolBufferException e) {
      throw new FailedPreconditionException("the record at " + entry.key() + " in etcd is corrupt: " + e.getMessage(), e);
    }
  }
}
