using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Tests.Contract;

public class UnitsTests
{
    [Fact]
    public void Pfn_PrintsAsTheKernelsLowercaseHex() =>
        new Pfn(0x10021A).ToString().ShouldBe("0x10021a");

    [Fact]
    public void Pfn_PhysicalAddress_IsPfnShiftedByPageShift() =>
        new Pfn(0x100200).PhysicalAddress.ShouldBe(0x100200000UL);

    [Fact]
    public void FileOffset_ToPageIndex_RoundsDown()
    {
        new FileOffset(8191).ToPageIndex().ShouldBe(new PageIndex(1));
        FileOffset.Of(new PageIndex(3)).ShouldBe(new FileOffset(12288));
    }

    [Fact]
    public void DeviceExtent_Overlap_IsHalfOpen()
    {
        var a = new DeviceExtent(new DeviceOffset(0x1000), new ByteLength(0x1000));

        a.Overlaps(new DeviceExtent(new DeviceOffset(0x1fff), ByteLength.Page)).ShouldBeTrue();
        a.Overlaps(new DeviceExtent(new DeviceOffset(0x2000), ByteLength.Page)).ShouldBeFalse("an extent ends before its End");
        a.Contains(new DeviceOffset(0x2000)).ShouldBeFalse();
    }

    [Fact]
    public void ByteLength_Max_IsKillDaxsWholeDeviceLength() =>
        ByteLength.Max.Value.ShouldBe(ulong.MaxValue);

    [Fact]
    public void Errno_ReturnCodes_AreTheKernelsNegativeValues()
    {
        Errno.ENXIO.ToReturnCode().ShouldBe(-6);
        Errno.EFSCORRUPTED.ToReturnCode().ShouldBe(-117);
        Errno.Ok.ToKernelString().ShouldBe("0");
        Errno.EOPNOTSUPP.ToKernelString().ShouldBe("-EOPNOTSUPP");
        ErrnoExtensions.FromReturnCode(-133).ShouldBe(Errno.EHWPOISON);
        Should.Throw<ArgumentOutOfRangeException>(() => ErrnoExtensions.FromReturnCode(-1000));
    }

    [Fact]
    public void MfFlags_HaveThe6_7Values_AndKernelNames()
    {
        ((uint)MfFlags.MemPreRemove).ShouldBe(1u << 7);
        (MfFlags.ActionRequired | MfFlags.MustKill).ToKernelString().ShouldBe("MF_ACTION_REQUIRED|MF_MUST_KILL");
        MfFlags.None.ToKernelString().ShouldBe("0");
    }

    [Fact]
    public void ErrnoOr_Fail_RefusesOk_AndValueOfAFailureThrows()
    {
        Should.Throw<ArgumentException>(() => ErrnoOr<int>.Fail(Errno.Ok));
        var failed = ErrnoOr<int>.Fail(Errno.EINVAL, "unknown option 'x'");

        Should.Throw<InvalidOperationException>(() => failed.Value).Message.ShouldContain("-EINVAL");
        failed.ToString().ShouldBe("-EINVAL: unknown option 'x'");
    }

    [Fact]
    public void FsOptions_ParsesTheCommandLineSpelling()
    {
        var options = FsOptions.Parse(" reflink=1, rmapbt=0 ,dax ");

        options.Get("reflink").ShouldBe("1");
        options.Get("dax").ShouldBe("", "a bare flag is present with an empty value");
        options.Get("crc").ShouldBeNull();
        options.Unknown("reflink", "rmapbt").ShouldBe(["dax"]);
        options.ToString().ShouldBe("reflink=1,rmapbt=0,dax");
        Should.Throw<FormatException>(() => FsOptions.Parse("=1"));
    }
}
