using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Fs;
using DaxHolder.Tests.Support;
using DaxHolder.Tests.Xfs.Support;

namespace DaxHolder.Tests.Xfs;

/// <summary>mkfs.xfs: options, defaults (xfsprogs 6.1) and the on-media layout of each AG.</summary>
public sealed class XfsMkfsTests
{
    [Fact]
    public void Mkfs_OnOneGiB_GivesFourAgsWithHeadersRootsLogAndRootChunk_AsTheRmapbtSays()
    {
        using var m = new XfsMachine();

        var layout = string.Join("\n", Enumerable.Range(0, 4).SelectMany(ag =>
        {
            var start = m.Locate($"sb {ag}");
            return m.Fs.ReverseMap.Query(new DeviceExtent(start, new ByteLength(65UL << 20)))
                .Select(r => $"AG {ag}: {r.Extent} {r.Owner}{(r.FileOffset is { } o ? " @" + o : "")} {r.Flags}");
        })) + "\n";

        layout.ShouldMatchApprovedText();
    }

    [Fact]
    public void Mkfs_Defaults_AreReflinkOnRmapbtOff_SoNotifyFailureNeedsAnExplicitRmapbt()
    {
        using var m = new XfsMachine(mkfs: "");

        m.Fs.ReverseMap.LocateMetadata("refcountbt 0").IsOk.ShouldBeTrue("xfsprogs 6.x makes reflink=1 by default");
        var rmapbt = m.Fs.ReverseMap.LocateMetadata("rmapbt 0");
        rmapbt.Error.ShouldBe(Errno.ENOENT, "xfsprogs 6.1 (Debian 12) makes rmapbt=0 by default");
        rmapbt.Message.ShouldNotBeNull().ShouldContain("reflink=1,rmapbt=0");
    }

    [Fact]
    public void Mkfs_AgcountOption_SplitsTheDeviceIntoThatManyAgs()
    {
        using var m = new XfsMachine(mkfs: "reflink=1,rmapbt=1,agcount=2");

        m.Fs.ReverseMap.LocateMetadata("agf 1").IsOk.ShouldBeTrue();
        m.Fs.ReverseMap.LocateMetadata("agf 2").Error.ShouldBe(Errno.ENOENT);
        m.Locate("agf 1").Value.ShouldBe((1022UL << 20) / 2 + 4096, "two AGs of 511 MiB; the AGF is block 1 of its AG");
    }

    [Theory]
    [InlineData("color=blue", "unknown option 'color'")]
    [InlineData("reflink=2", "Invalid value 2 for -m reflink option")]
    [InlineData("rmapbt=yes", "Invalid value yes for -m rmapbt option")]
    [InlineData("agcount=0", "Invalid value 0 for -d agcount option")]
    [InlineData("agcount=1000", "too small")]
    [InlineData("su=2m", "both data su and data sw options must be specified")]
    [InlineData("su=1000,sw=1", "Invalid value 1000 for -d su option")]
    [InlineData("su=2m,sw=0", "Invalid value 0 for -d sw option")]
    public void Mkfs_BadOptions_AreEinvalNamingTheOption(string options, string message)
    {
        using var m = new XfsMachine(mounted: false);

        var made = Vfs.Mkfs(XfsMachine.Type, m.Device, FsOptions.Parse(options));

        made.Error.ShouldBe(Errno.EINVAL);
        made.Message.ShouldNotBeNull().ShouldContain(message);
    }

    [Fact]
    public void Mkfs_UnderThreeHundredMegabytes_IsRefusedAsXfsprogsDoes()
    {
        using var m = new XfsMachine(mounted: false);
        var small = m.Pmem.AddPartition(new DeviceOffset(PageGeometry.PmdSize), new ByteLength(256UL << 20));

        var made = Vfs.Mkfs(XfsMachine.Type, small, FsOptions.Empty);

        made.Error.ShouldBe(Errno.EINVAL);
        made.Message.ShouldNotBeNull().ShouldContain("larger than 300MB");
    }
}
