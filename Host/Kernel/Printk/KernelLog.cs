using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Host.Kernel.Printk;

/// <summary>One printk line, as dmesg shows it (no timestamp: output must be deterministic).</summary>
internal sealed record LogLine(KernelLogLevel Level, string Text)
{
    public override string ToString() => Text;
}

/// <summary>
/// kernel/printk: the kernel ring buffer of one machine. Lines are kept in order; an event's
/// decision record takes the slice printed while it ran.
/// </summary>
internal sealed class KernelLog : IKernelLog
{
    private readonly List<LogLine> lines = [];
    private readonly HashSet<string> warnedOnce = new(StringComparer.Ordinal);

    public IReadOnlyList<LogLine> Lines => lines;

    /// <summary>Position to slice from: the number of lines printed so far.</summary>
    public int Mark => lines.Count;

    public void Printk(KernelLogLevel level, string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lines.Add(new LogLine(level, line));
    }

    /// <summary>The lines printed since <paramref name="mark"/>.</summary>
    public IReadOnlyList<LogLine> Since(int mark) => lines.Skip(mark).ToList();

    /// <summary>
    /// include/asm-generic/bug.h: WARN_ON_ONCE. True (and the site remembered) the first time a
    /// site fires in this boot; later hits print nothing.
    /// </summary>
    public bool FirstWarning(string site) => warnedOnce.Add(site);
}
