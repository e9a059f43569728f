using System.Globalization;
using System.Text;
using DaxHolder.Abstractions;
using DaxHolder.Kernel.Trace;
using static DaxHolder.Scenarios.Reports.Html.HtmlText;

namespace DaxHolder.Scenarios.Reports.Html;

/// <summary>One call or record of an event's call tree: its stage ("memory_failure", "holder", "rmap record", "signal"), its line and what it called.</summary>
internal sealed class CallNode(string stage, string text, Decision? decision)
{
    public string Stage { get; set; } = stage;

    public string Text { get; set; } = text;

    public Decision? Decision { get; } = decision;

    public List<CallNode> Children { get; } = [];

    /// <summary>This node and every node under it, depth first.</summary>
    public IEnumerable<CallNode> Descendants() => Children.SelectMany(c => c.Descendants().Prepend(c));
}

/// <summary>
/// An event's decisions (flat, in the order the kernel took them) as the call tree they came from:
/// memory_failure → the pgmap's holder (dax_holder_notify_failure) → the holder's notify_failure
/// (its reverse-map query) → each rmap record → mf_dax_kill_procs → the pages, the tasks collected,
/// the unmaps and the signals; the generic path (mf_generic_kill_procs) sits where the holder
/// would; action_result closes a memory_failure; deliveries and exits on the way back to user
/// space hang off the event itself. Lines are <see cref="DecisionFormatter"/>'s.
/// </summary>
internal static class CallTree
{
    private const int Root = 0;
    private const int MemoryFailure = 1;
    private const int Holder = 2;
    private const int NotifyFailure = 3;
    private const int Record = 4;
    private const int KillProcs = 5;

    /// <summary>The tree of <paramref name="decisions"/> (log lines left out: reports print them apart).</summary>
    public static CallNode Build(string label, IEnumerable<Decision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        var root = new CallNode("event", label, null);
        var stack = new List<(CallNode Node, int Level)> { (root, Root) };

        void Open(int level, CallNode node)
        {
            Close(level);
            stack[^1].Node.Children.Add(node);
            stack.Add((node, level));
        }

        void Close(int level)
        {
            while (stack[^1].Level >= level && stack.Count > 1)
            {
                stack.RemoveAt(stack.Count - 1);
            }
        }

        void Leaf(CallNode node, int under = int.MaxValue)
        {
            while (stack[^1].Level > under)
            {
                stack.RemoveAt(stack.Count - 1);
            }

            stack[^1].Node.Children.Add(node);
        }

        void EnsureMemoryFailure()
        {
            if (!stack.Any(s => s.Level == MemoryFailure))
            {
                Open(MemoryFailure, new CallNode("memory_failure", "", null));
            }
        }

        foreach (var decision in decisions.Where(d => d is not LogPrinted))
        {
            var node = Node(decision);
            switch (decision)
            {
                case HolderNotified h:
                    if ((h.Flags & MfFlags.MemPreRemove) == 0)
                    {
                        EnsureMemoryFailure();
                    }

                    Open(Holder, node);
                    break;
                case GenericPathTaken:
                    EnsureMemoryFailure();
                    Open(Holder, node);
                    break;
                case TeardownStep:
                    Open(MemoryFailure, node);
                    break;
                case RmapQueried:
                    Open(NotifyFailure, node);
                    break;
                case RmapRecordVisited:
                    Open(Record, node);
                    break;
                case RmapRecordsElided:
                    Leaf(node, NotifyFailure);
                    break;
                case DaxKillProcsCalled:
                    Open(KillProcs, node);
                    break;
                case PagePoisoned or PageNotLocked or PageExamined when stack[^1].Level == Root:
                    EnsureMemoryFailure();
                    Leaf(node);
                    break;
                case ActionResultRecorded:
                    EnsureMemoryFailure();
                    Leaf(node, MemoryFailure);
                    Close(MemoryFailure);
                    break;
                case SignalDelivered or ProcessExited:
                    Leaf(node, Root);
                    break;
                default:
                    Leaf(node);
                    break;
            }
        }

        foreach (var failure in root.Descendants().Where(n => n.Stage == "memory_failure" && n.Decision is null))
        {
            failure.Text = MemoryFailureLine(failure);
        }

        return root;
    }

    /// <summary>The children of <paramref name="root"/> as nested lists; a node with children is an open &lt;details&gt;.</summary>
    public static void Render(StringBuilder html, CallNode root)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(root);
        if (root.Children.Count == 0)
        {
            html.Append("<p class=\"dim\">no decisions</p>\n");
            return;
        }

        html.Append("<ul class=\"tree\">\n");
        foreach (var child in root.Children)
        {
            Node(html, child);
        }

        html.Append("</ul>\n");
    }

    private static void Node(StringBuilder html, CallNode node)
    {
        var css = Css(node.Stage);
        var line = $"<span class=\"stage\">{H(node.Stage)}</span> {H(node.Text)}";
        if (node.Children.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"{css}\">{line}</li>\n");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<li class=\"{css}\"><details open><summary>{line}</summary>\n<ul>\n");
        foreach (var child in node.Children)
        {
            Node(html, child);
        }

        html.Append("</ul></details></li>\n");
    }

    private static string Css(string stage) => stage switch
    {
        "memory_failure" => "n-mf",
        "pgmap → holder" or "generic path" => "n-holder",
        "notify_failure" => "n-notify",
        "rmap record" => "n-rmap",
        "mf_dax_kill_procs" => "n-kill",
        "collect" or "skip" => "n-collect",
        "unmap" => "n-unmap",
        "signal" => "n-signal",
        "action_result" => "n-result",
        _ => "n-other",
    };

    private static CallNode Node(Decision decision)
    {
        var view = DecisionFormatter.Format(decision);
        var stage = decision switch
        {
            HolderNotified => "pgmap → holder",
            GenericPathTaken => "generic path",
            RmapQueried => "notify_failure",
            RmapRecordVisited or RmapRecordsElided => "rmap record",
            ProcessCollected => "collect",
            CandidateSkipped => "skip",
            RangeUnmapped or LayoutBroken => "unmap",
            SignalSent => "signal",
            _ => view.Kind,
        };
        var text = view.Text ?? decision switch
        {
            RmapQueried q => $"{q.Plugin}: reverse map over {q.Range}: {(q.Found is { } n ? $"{n} record{(n == 1 ? "" : "s")}" : "walk did not finish")}",
            _ => decision.GetType().Name,
        };
        return new CallNode(stage, text, decision);
    }

    /// <summary>"pfn 0x100218 → Recovered", from what the memory_failure node holds.</summary>
    private static string MemoryFailureLine(CallNode failure)
    {
        var decisions = failure.Descendants().Select(n => n.Decision).ToList();
        var pfn = decisions.Select(d => d switch
        {
            ActionResultRecorded a => a.Pfn.ToString(),
            PagePoisoned p => p.Pfn.ToString(),
            GenericPathTaken g => g.Pfn.ToString(),
            PageNotLocked p => p.Pfn.ToString(),
            _ => null,
        }).FirstOrDefault(p => p is not null);
        var result = decisions.OfType<ActionResultRecorded>().Select(a => a.Result.ToString()).FirstOrDefault();
        return $"{(pfn is null ? "" : $"pfn {pfn}")}{(result is null ? "" : $" → {result}")}".Trim();
    }
}
