package io.adit.cli;

public final class AditCtl {
  public static void main(String[] args) {}
}
