using System.Diagnostics.Tracing;
using System.Globalization;

namespace DaxHolder.Bench.Support;

/// <summary>
/// <c>DAXHOLDER_BENCH_GCS=1</c>: prints each garbage collection of the timed part as the runtime
/// reports it (its GCStart, GCHeapStats and GCEnd events): generation, reason, pause and the
/// bytes promoted out of gen0 and gen1, to tell a collection that copies survivors from one that
/// only scans.
/// </summary>
internal sealed class GcListener(TextWriter output) : EventListener
{
    private readonly List<string> lines = [];
    private DateTime started;
    private string current = "";

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
        {
            return;
        }

        object? Field(string name) => names.IndexOf(name) is var i and >= 0 ? payload[i] : null;
        lock (lines)
        {
            switch (eventData.EventName)
            {
                case { } n when n.StartsWith("GCStart", StringComparison.Ordinal):
                    started = eventData.TimeStamp;
                    current = string.Create(CultureInfo.InvariantCulture, $"gen{Field("Depth")} ({ReasonName(Convert.ToInt32(Field("Reason"), CultureInfo.InvariantCulture))})");
                    break;
                case { } n when n.StartsWith("GCEnd", StringComparison.Ordinal):
                    current += string.Create(CultureInfo.InvariantCulture, $": {(eventData.TimeStamp - started).TotalMilliseconds:F0} ms");
                    break;
                case { } n when n.StartsWith("GCHeapStats", StringComparison.Ordinal):
                    // The runtime reports a collection's heap after its end.
                    lines.Add(current + string.Create(CultureInfo.InvariantCulture,
                        $", promoted from gen0 {Mib(Field("TotalPromotedSize0"))} MiB and from gen1 {Mib(Field("TotalPromotedSize1"))} MiB; gen2 {Mib(Field("GenerationSize2"))} MiB, LOH {Mib(Field("GenerationSize3"))} MiB after it"));
                    break;
            }
        }
    }

    /// <summary>Prints the collections; the runtime's events arrive on their own thread, so it waits for the last ones first.</summary>
    public override void Dispose()
    {
        Thread.Sleep(TimeSpan.FromSeconds(2));
        base.Dispose();
        lock (lines)
        {
            lines.ForEach(output.WriteLine);
        }
    }

    private static ulong Mib(object? bytes) => Convert.ToUInt64(bytes, CultureInfo.InvariantCulture) >> 20;

    private static string ReasonName(int reason) => reason switch
    {
        0 => "small-object allocation",
        1 => "induced",
        4 => "large-object allocation",
        _ => $"reason {reason}",
    };
}
