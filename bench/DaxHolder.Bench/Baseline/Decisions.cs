using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm.MemoryFailure;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Bench.Baseline;

/// <summary>What a dispatch decided: pages walked, whom to signal (task, address, shift) in order, and the trace.</summary>
internal sealed class Decisions
{
    public List<PageIndex> Pages { get; } = [];

    public List<ToKill> ToKill { get; } = [];

    public List<Decision> Trace { get; } = [];

    /// <summary>Null when both took the same decisions in the same order, else the first difference.</summary>
    public static string? Difference(Decisions host, Decisions kernel)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(kernel);
        return First("pages", host.Pages, kernel.Pages)
            ?? First("to_kill", host.ToKill, kernel.ToKill)
            ?? First("trace", host.Trace, kernel.Trace);
    }

    private static string? First<T>(string what, List<T> host, List<T> kernel)
    {
        for (var i = 0; i < Math.Max(host.Count, kernel.Count); i++)
        {
            var h = i < host.Count ? host[i] : default;
            var k = i < kernel.Count ? kernel[i] : default;
            if (!Equals(h, k))
            {
                return $"{what}[{i}]: host {h?.ToString() ?? "(none)"}, kernel algorithm {k?.ToString() ?? "(none)"}";
            }
        }

        return null;
    }
}
