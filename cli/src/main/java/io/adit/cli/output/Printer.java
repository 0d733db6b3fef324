package io.adit.cli.output;

import java.io.PrintWriter;

/** Prints a result the way {@code -o} asks: a table drawn by the command, or its view as JSON/YAML. */
public final class Printer {
  private final OutputFormat format;
  private final PrintWriter out;

  public Printer(OutputFormat format, PrintWriter out) {
    this.format = format;
    this.out = out;
  }

  public OutputFormat format() {
    return format;
  }

  public boolean structured() {
    return format != OutputFormat.TABLE;
  }

  /**
   * Prints {@code view} as JSON or YAML, or runs {@code table}, which writes the human form.
   *
   * @param view a record (or list of records) from {@link Views}
   */
  public void print(Object view, Runnable table) {
    if (structured()) {
      Structured.write(out, format, view);
    } else {
      table.run();
    }
    out.flush();
  }
}
