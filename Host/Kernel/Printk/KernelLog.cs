using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Printk;

/// <summary>One printk line, as dmesg shows it (no timestamp: output must be deterministic).</summary>
internal class LogLine
{
    private readonly string? text;

    public LogLine(KernelLogLevel level, string text)
    {
        Level = level;
        this.text = text;
    }

    /// <summary>A line whose text a subclass renders (<see cref="DeferredLogText"/>); its level is set when it is printed.</summary>
    private protected LogLine()
    {
    }

    public KernelLogLevel Level { get; private protected set; }

    /// <summary>The line's text; a deferred line is formatted each time it is read.</summary>
    public virtual string Text => text!;

    public override string ToString() => Text;
}

/// <summary>
/// A line the kernel prints once per page and task (memory-failure's "Sending SIGBUS"): kept as
/// its values and formatted when a report reads it, so that a whole-device pre-remove does not
/// hold half a million formatted strings. It is itself the log's line (one object per line, not
/// two), and is printed once. The text is exactly what the formatted line would be.
/// </summary>
internal abstract class DeferredLogText : LogLine
{
    private bool printed;

    public abstract string Render();

    public sealed override string Text => Render();

    /// <summary>Takes the level it is printed at; a deferred line is printed once.</summary>
    internal void PrintedAt(KernelLogLevel level)
    {
        if (printed)
        {
            throw new InvalidOperationException($"a deferred log line is printed once: {Render()}");
        }

        printed = true;
        Level = level;
    }
}

/// <summary>
/// kernel/printk: the kernel ring buffer of one machine. Lines are kept in order, and each is
/// also a record in the machine's decision trace, at the point it was printed.
/// </summary>
internal sealed class KernelLog(DecisionTrace? trace = null) : IKernelLog
{
    private readonly AppendList<LogLine> lines = new();
    private readonly HashSet<string> warnedOnce = new(StringComparer.Ordinal);

    public IReadOnlyList<LogLine> Lines => lines;

    /// <summary>Position to slice from: the number of lines printed so far.</summary>
    public int Mark => lines.Count;

    public void Printk(KernelLogLevel level, string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Print(new LogLine(level, line));
    }

    /// <summary>printk of a line formatted only when read (see <see cref="DeferredLogText"/>).</summary>
    public void Printk(KernelLogLevel level, DeferredLogText line)
    {
        ArgumentNullException.ThrowIfNull(line);
        line.PrintedAt(level);
        Print(line);
    }

    /// <summary>The lines printed since <paramref name="mark"/>.</summary>
    public IReadOnlyList<LogLine> Since(int mark) => lines.From(mark);

    /// <summary>
    /// include/asm-generic/bug.h: WARN_ON_ONCE. True (and the site remembered) the first time a
    /// site fires in this boot; later hits print nothing.
    /// </summary>
    public bool FirstWarning(string site) => warnedOnce.Add(site);

    private void Print(LogLine line)
    {
        lines.Add(line);
        trace?.LogPrinted(lines, lines.Count - 1);
    }
}
