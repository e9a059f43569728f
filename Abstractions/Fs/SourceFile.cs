namespace DaxHolder.Abstractions.Fs;

/// <summary>
/// One run of a file's content: <paramref name="Length"/> bytes of the pattern called
/// <paramref name="Pattern"/>, from the pattern's start. The byte at offset o of a run is a pure
/// function of (pattern, o), so two runs of one pattern hold the same bytes where their offsets
/// meet, and runs of different patterns never do.
/// </summary>
/// <param name="Length">The run's length in bytes.</param>
/// <param name="Pattern">The pattern's name, e.g. "A".</param>
public sealed record ContentSegment(ByteLength Length, string Pattern);

/// <summary>A stretch of a file's bytes as (pattern, offset inside the pattern, length).</summary>
/// <param name="Pattern">The pattern's name.</param>
/// <param name="PatternOffset">Where in the pattern the stretch starts.</param>
/// <param name="Length">How many bytes.</param>
public readonly record struct ContentRun(string Pattern, ulong PatternOffset, ulong Length);

/// <summary>
/// What a file holds, as runs of named patterns, so a filesystem that builds its image from a
/// source tree (mkfs.erofs) can tell identical content apart from different content without the
/// bytes themselves. Two ranges hold identical bytes exactly when <see cref="Slice"/> gives equal
/// run lists.
/// </summary>
public sealed class FileContent
{
    private FileContent(IReadOnlyList<ContentSegment> segments)
    {
        Segments = segments;
        Length = new ByteLength(segments.Aggregate(0UL, (sum, s) => sum + s.Length.Value));
    }

    /// <summary>The runs, in file order.</summary>
    public IReadOnlyList<ContentSegment> Segments { get; }

    /// <summary>The total length, the file's size.</summary>
    public ByteLength Length { get; }

    /// <summary>Content made of <paramref name="segments"/> in order (empty segments are dropped).</summary>
    public static FileContent Of(IEnumerable<ContentSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        return new FileContent([.. segments.Where(s => s.Length.Value > 0)]);
    }

    /// <summary>
    /// The default content of a file nobody described: one pattern of its own, named after its
    /// path ("unique:/a"), so no two files share a byte unless the scenario says so.
    /// </summary>
    public static FileContent UniqueTo(string path, ByteLength size) => Of([new ContentSegment(size, "unique:" + path)]);

    /// <summary>
    /// The bytes [offset, offset + length) as pattern runs, adjacent runs of one pattern with
    /// contiguous offsets merged; bytes past the end are not listed.
    /// </summary>
    public IReadOnlyList<ContentRun> Slice(ulong offset, ulong length)
    {
        var runs = new List<ContentRun>();
        var end = offset + length;
        ulong start = 0;
        foreach (var segment in Segments)
        {
            var segmentEnd = start + segment.Length.Value;
            var from = Math.Max(start, offset);
            var to = Math.Min(segmentEnd, end);
            if (from < to)
            {
                var run = new ContentRun(segment.Pattern, from - start, to - from);
                if (runs.Count > 0 && runs[^1] is var last && last.Pattern == run.Pattern && last.PatternOffset + last.Length == run.PatternOffset)
                {
                    runs[^1] = last with { Length = last.Length + run.Length };
                }
                else
                {
                    runs.Add(run);
                }
            }

            start = segmentEnd;
        }

        return runs;
    }

    /// <summary>"64KiB of A, 4KiB of B" as bytes: "65536 A + 4096 B".</summary>
    public override string ToString() => string.Join(" + ", Segments.Select(s => $"{s.Length.Value} {s.Pattern}"));
}

/// <summary>
/// A regular file of the source tree a filesystem builds its image from at mkfs (mkfs.erofs
/// IMAGE DIR): its absolute path inside the filesystem, its size and its content.
/// </summary>
/// <param name="Path">"/a".</param>
/// <param name="Size">i_size; equal to the content's length.</param>
/// <param name="Content">What it holds.</param>
public sealed record SourceFile(string Path, ByteLength Size, FileContent Content);
