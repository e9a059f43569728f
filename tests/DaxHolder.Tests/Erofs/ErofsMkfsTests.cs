using System.Text;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Tests.Erofs.Support;
using DaxHolder.Tests.Ext4.Support;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Erofs;

/// <summary>
/// mkfs.erofs's layout (erofs-utils lib/inode.c, lib/cache.c, lib/blobchunk.c): every page of the
/// image with its owners, by option, so each layout decision (nid 36 for the root, inline tails,
/// chunk dedupe, compressed clusters, inode versions) is held by an approved snapshot.
/// </summary>
public sealed class ErofsMkfsTests
{
    private static readonly SourceFile[] Tree =
    [
        ErofsMachine.Unique("/plain", 64 * 1024),
        ErofsMachine.Unique("/tail", (64 * 1024) + 100),
        ErofsMachine.File("/a", 16 * 1024, "A"),
        ErofsMachine.File("/b", 16 * 1024, "A"),
        new("/c", new ByteLength(8192), FileContent.Of([new ContentSegment(new ByteLength(4096), "A"), new ContentSegment(new ByteLength(4096), "B")])),
    ];

    /// <summary>The whole image, page by page, as the rmap explains it.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("noinline_data")]
    [InlineData("chunksize=4096")]
    [InlineData("chunksize=8192")]
    [InlineData("z=lz4")]
    [InlineData("z=lz4,dedupe")]
    [InlineData("force-inode-extended")]
    public void Image_PageByPage_AsTheRmapExplainsIt(string mkfs)
    {
        using var m = new ErofsMachine(Tree, mkfs: mkfs);
        var text = new StringBuilder();
        var start = m.Pmem.Disk.Start;
        for (ulong page = 0; page < 64; page++)
        {
            var line = m.Explain(start.Add(new ByteLength(page * PageGeometry.PageSize)));
            if (!line.EndsWith(" free", StringComparison.Ordinal))
            {
                text.AppendLine(line);
            }
        }

        text.ToString().ShouldMatchApprovedText(mkfs.Length == 0 ? "default" : mkfs.Replace(',', '+').Replace('=', '-'));
    }

    /// <summary>erofs_blob_getchunk: with --chunksize identical chunks are stored once, whatever the file; without it no block is shared.</summary>
    [Theory]
    [InlineData("chunksize=4096", true, true)]
    [InlineData("chunksize=8192", true, false)]
    [InlineData("", false, false)]
    [InlineData("noinline_data", false, false)]
    public void Dedupe_SharesExactlyTheIdenticalChunks(string mkfs, bool aAndBShare, bool cSharesItsFirstPage)
    {
        using var m = new ErofsMachine(Tree, mkfs: mkfs);

        (m.ExtentOf("/a", 0) == m.ExtentOf("/b", 0)).ShouldBe(aAndBShare);
        (m.ExtentOf("/a", 3) == m.ExtentOf("/b", 3)).ShouldBe(aAndBShare);
        (m.ExtentOf("/c", 0) == m.ExtentOf("/a", 0)).ShouldBe(cSharesItsFirstPage);
        m.ExtentOf("/c", 1).ShouldNotBe(m.ExtentOf("/a", 1), "B's bytes are not A's");
    }

    [Theory]
    [InlineData("chunksize=1000", "must be a power of two from 4096")]
    [InlineData("chunksize=2048", "must be a power of two from 4096")]
    [InlineData("z=zstd", "takes lz4 or lz4hc")]
    [InlineData("dedupe", "needs z=")]
    [InlineData("force-inode-compact,force-inode-extended", "contradict")]
    [InlineData("noinline_data=1", "is a flag")]
    [InlineData("reflink=1", "unknown mkfs option 'reflink'")]
    public void BadOptions_AreRefusedWithEinval_NamingThem(string mkfs, string message)
    {
        using var m = new TestMachineWithoutFs();

        var result = ErofsMachine.Type.Type.Mkfs(new MkfsRequest(m.Pmem.Disk, FsOptions.Parse(mkfs)) { Files = Tree });

        result.Error.ShouldBe(Errno.EINVAL);
        result.Message.ShouldNotBeNull().ShouldContain(message);
    }

    [Fact]
    public void ASubdirectory_IsRefused_TheModelBuildsOneFlatRoot()
    {
        using var m = new TestMachineWithoutFs();

        var result = ErofsMachine.Type.Type.Mkfs(new MkfsRequest(m.Pmem.Disk, FsOptions.Empty) { Files = [ErofsMachine.Unique("/d/x", 4096)] });

        result.Error.ShouldBe(Errno.EINVAL);
        result.Message.ShouldNotBeNull().ShouldContain("one flat root directory");
    }

    [Fact]
    public void TheSameTree_BuildsTheSameImage()
    {
        using var one = new ErofsMachine(Tree, mkfs: "chunksize=4096");
        using var two = new ErofsMachine(Tree, mkfs: "chunksize=4096");

        var all = new DeviceExtent(one.Pmem.Disk.Start, new ByteLength(1UL << 20));
        one.Fs.ReverseMap.Query(all).ShouldBe(two.Fs.ReverseMap.Query(all));
    }
}
