package io.adit.controller.store.etcd;

import io.adit.common.validation.InvalidInputException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.ClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The controller's own etcd account when etcd has authentication enabled: a user with the root
 * role, which it needs to give each node an etcd user of its own. The password comes from a file
 * so that it never shows in {@code ps}.
 */
public record EtcdAuth(String user, String password) {
  public EtcdAuth {
    if (user == null || user.isBlank()) {
      throw new InvalidInputException("--etcd-user is empty: give the etcd user the controller logs in as (one with the root role)");
    }
    if (password == null || password.isEmpty()) {
      throw new InvalidInputException("the etcd password is empty: put the password of --etcd-user in --etcd-password-file");
    }
  }

  /** Reads the password from the first line of {@code file}. */
  public static EtcdAuth fromFile(String user, Path file) {
    if (file == null) {
      throw new InvalidInputException("--etcd-user needs --etcd-password-file FILE, the file that holds its password");
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int eol = text.indexOf('\n');
      String line = eol < 0 ? text : text.substring(0, eol);
      return new EtcdAuth(user, line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read --etcd-password-file " + file + ": " + e.getMessage());
    }
  }

  void apply(ClientBuilder builder) {
    builder.user(ByteSequence.from(user, StandardCharsets.UTF_8)).password(ByteSequence.from(password, StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "EtcdAuth[user=" + user + "]";
  }
}
