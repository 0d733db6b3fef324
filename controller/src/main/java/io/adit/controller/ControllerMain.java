package io.adit.controller;

public final class ControllerMain {
  public static void main(String[] args) {}
}
