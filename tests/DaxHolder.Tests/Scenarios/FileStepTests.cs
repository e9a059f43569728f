using DaxHolder.Scenarios.Reports;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// The file-lifecycle steps, one system call each, on XFS and ext4 (and EROFS, which refuses every
/// change with -EROFS): the errno the kernel gives is the step's result.
/// </summary>
public sealed class FileStepTests
{
    private static string Scenario(string type, string steps, string mount = "dax: always", string files = "  - { path: /seed, size: 16KiB }") => $$"""
        name: file-steps
        kernel: "6.12"
        device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
        filesystem: { type: {{type}}, mkfs: {{(type == "xfs" ? "{ reflink: 1, rmapbt: 1 }" : "\"\"")}}, mount: { {{mount}} } }
        files:
        {{files}}
        steps:
        {{steps}}
        """;

    private static IReadOnlyList<StepReport> Steps(string type, string steps, string mount = "dax: always") =>
        [.. ScenarioHarness.Run(Scenario(type, steps, mount)).ShouldHaveSingleItem().Steps.Skip(1)];

    private static string Results(string type, string steps, string mount = "dax: always") =>
        string.Join("\n", Steps(type, steps, mount).Select(s => s.Result.ToString()));

    [Theory]
    [InlineData("xfs")]
    [InlineData("ext4")]
    public void Mkdir_MakesADirectory_EexistEnoentEnotdir_FsNameiVfsMkdir(string type) =>
        Results(type, """
              - mkdir: { path: /d }
              - mkdir: { path: /d }
              - mkdir: { path: /no/d }
              - mkdir: { path: /seed/d }
              - readdir: { path: / }
            """).ShouldBe(string.Join("\n", "0", "-EEXIST", "-ENOENT", "-ENOTDIR",
                type == "xfs" ? "0 (d/ seed)" : "0 (d/ lost+found/ seed)"));

    [Theory]
    [InlineData("xfs")]
    [InlineData("ext4")]
    public void Create_WritesTheSize_InAnExistingDirectoryOnly_OCreatOExcl(string type) =>
        Results(type, """
              - mkdir: { path: /d }
              - create: { path: /d/f, size: 8KiB }
              - create: { path: /d/f }
              - create: { path: /e/f }
              - stat: { path: /d/f }
              - readdir: { path: /d }
              - readdir: { path: /d/f }
            """).ShouldBe(string.Join("\n", "0", "0", "-EEXIST (/d/f)".Replace(" (/d/f)", type == "xfs" ? " (xfs: '/d/f' exists)" : " (/d/f)"),
                type == "xfs" ? "-ENOENT (xfs: no such file '/e')" : "-ENOENT (ext4: no such file '/e')",
                "0 (regular file, size 8KiB, blocks 16, STATX_ATTR_DAX)", "0 (f)",
                type == "xfs" ? "-ENOTDIR (xfs: '/d/f' is not a directory)" : "-ENOTDIR (ext4: '/d/f' is not a directory)"));

    [Fact]
    public void Stat_OfAMissingPath_IsEnoent() =>
        Results("xfs", "  - stat: { path: /none }").ShouldStartWith("-ENOENT");

    /// <summary>fs/xfs/xfs_ioctl.c: xfs_ioctl_setattr_prepare_dax() -> d_mark_dontcache(): S_DAX follows the flag at the inode's next read.</summary>
    [Theory]
    [InlineData("xfs")]
    [InlineData("ext4")]
    public void Chattr_UnderDaxInode_TakesEffectAtTheNextRead_DMarkDontcache(string type)
    {
        var steps = Steps(type, """
              - stat: { path: /seed }
              - spawn: { task: h, comm: holder, pid: 5001 }
              - open: { task: h, path: /seed, as: fd }
              - chattr: { path: /seed, dax: true }
              - stat: { path: /seed }
              - close: { task: h, fd: fd }
              - stat: { path: /seed }
            """, mount: "dax: inode");

        steps[0].Result.ToString().ShouldBe("0 (regular file, size 16KiB, blocks 32)");
        steps[3].Result.ToString().ShouldBe("0 (the inode stays in core, S_DAX off)");
        steps[4].Result.ToString().ShouldBe("0 (regular file, size 16KiB, blocks 32, FS_XFLAG_DAX)");
        steps[6].Result.ToString().ShouldBe("0 (regular file, size 16KiB, blocks 32, FS_XFLAG_DAX, STATX_ATTR_DAX)");
    }

    [Theory]
    [InlineData("xfs")]
    [InlineData("ext4")]
    public void Chattr_OnADirectory_IsInheritedByNewFiles_XfsInodeInheritFlags2(string type) =>
        Results(type, """
              - mkdir: { path: /d }
              - chattr: { path: /d, dax: true }
              - create: { path: /d/f, size: 4KiB }
              - stat: { path: /d/f }
            """, mount: "dax: inode").ShouldEndWith("0 (regular file, size 4KiB, blocks 8, FS_XFLAG_DAX, STATX_ATTR_DAX)");

    /// <summary>fs/xfs/xfs_ioctl.c (≤6.1): "Don't allow us to set DAX mode for a reflinked file for now": -EINVAL.</summary>
    [Theory]
    [InlineData("6.1", "-EINVAL")]
    [InlineData("6.12", "0")]
    public void Chattr_OfAReflinkedXfsFile_IsEinvalOn61Only_XfsIoctlSetattrXflags(string kernel, string expected)
    {
        var yaml = Scenario("xfs", """
              - clone: { from: /seed, to: /copy }
              - chattr: { path: /copy, dax: true }
            """, mount: "dax: inode").Replace("kernel: \"6.12\"", $"kernel: \"{kernel}\"", StringComparison.Ordinal);
        var steps = ScenarioHarness.Run(yaml).ShouldHaveSingleItem().Steps.Skip(1).ToList();
        steps[0].Result.ToString().ShouldBe("0");
        steps[1].Result.Value.ShouldBe(expected);
    }

    [Fact]
    public void Erofs_RefusesEveryChange_WithErofs_MntWantWrite()
    {
        var yaml = """
            name: erofs-steps
            kernel: "6.12"
            device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
            filesystem: { type: erofs, mount: { dax: always } }
            files:
              - { path: /f, size: 8KiB }
            steps:
              - mkdir: { path: /d }
              - create: { path: /g }
              - chattr: { path: /f, dax: false }
              - clone: { from: /f, to: /h }
              - readdir: { path: / }
              - stat: { path: /f }
            """;
        var results = ScenarioHarness.Run(yaml).ShouldHaveSingleItem().Steps.Skip(1).Select(s => s.Result.ToString()).ToList();
        results.ShouldBe(["-EROFS", "-EROFS (erofs: /g: read-only filesystem)", "-EROFS", "open(O_CREAT): -EROFS (erofs: /h: read-only filesystem)", "0 (f)", "0 (regular file, size 8KiB, blocks 16, STATX_ATTR_DAX)"]);
    }

    /// <summary>fs/file.c: an open file holds its inode, so umount is -EBUSY until close; exit closes every fd.</summary>
    [Theory]
    [InlineData("xfs")]
    [InlineData("ext4")]
    public void OpenFile_KeepsUmountBusy_UntilCloseOrExit_CloseFiles(string type) =>
        Results(type, """
              - spawn: { task: h, comm: holder, pid: 5001 }
              - open: { task: h, path: /seed, as: a }
              - open: { task: h, path: /seed, as: b }
              - fork: { task: h, child: c, pid: 5002 }
              - close: { task: h, fd: a }
              - umount:
              - exit: { task: h }
              - umount:
              - exit: { task: c }
              - umount:
              - mount:
              - stat: { path: /seed }
            """).ShouldBe(string.Join("\n", "0", "3 (the fd)", "4 (the fd)", "0", "0", "-EBUSY", "0", "-EBUSY", "0", "0", "0",
                "0 (regular file, size 16KiB, blocks 32, STATX_ATTR_DAX)"));

    [Fact]
    public void Mount_WhileMounted_IsEbusy_AndNewOptionsStay()
    {
        var steps = Steps("ext4", """
              - mount:
              - umount:
              - mount: { options: { dax: never } }
              - stat: { path: /seed }
            """);
        steps[0].Result.ToString().ShouldBe("-EBUSY (already mounted)");
        steps[2].What.ShouldBe("mount -o dax=never");
        steps[3].Result.ToString().ShouldBe("0 (regular file, size 16KiB, blocks 32)", "no STATX_ATTR_DAX under dax=never");
    }

    /// <summary>fs/sync.c: fsync writes back the dirty DAX entries (dax_writeback_mapping_range()); after shutdown it is -EIO.</summary>
    [Fact]
    public void Fsync_WritesBackDirtyDaxEntries_AndSyncFindsNothingAfter()
    {
        var steps = Steps("xfs", """
              - spawn: { task: w, comm: writer, pid: 5001 }
              - mmap: { task: w, as: m, file: /seed, length: 16KiB }
              - touch: { task: w, map: m, length: 12KiB, access: write }
              - sync:
              - fsync: { path: /seed }
            """);
        steps[3].Result.ToString().ShouldBe("0 (3 dirty DAX entries written back)");
        steps[4].Result.ToString().ShouldBe("0 (nothing dirty)");
    }

    /// <summary>mm/memory-failure.c: me_pagecache_dirty() -> mapping_set_error(): the next fsync of each open file is -EIO, once (lib/errseq.c).</summary>
    [Fact]
    public void Fsync_AfterADirtyPageCachePageWasPoisoned_IsEioOncePerOpenFile_Errseq()
    {
        var steps = Steps("ext4", """
              - spawn: { task: w, comm: writer, pid: 5001, sigbus: handler }
              - open: { task: w, path: /seed, as: early }
              - mmap: { task: w, as: m, file: /seed, length: 4KiB }
              - touch: { task: w, map: m, length: 4KiB, access: write }
              - madvise-hwpoison: { task: w, map: m, length: 4KiB }
              - fsync: { task: w, fd: early }
              - fsync: { task: w, fd: early }
              - fsync: { path: /seed }
            """, mount: "dax: never");
        steps[5].Result.Value.ShouldBe("-EIO", "the fd open before the error hears of it");
        steps[6].Result.Value.ShouldBe("0", "once");
        steps[7].Result.Value.ShouldBe("0", "a file opened after the error was seen starts past it");
    }

    /// <summary>fs/remap_range.c: FICLONE shares every block on XFS with reflink; ext4 has no -&gt;remap_file_range: -EOPNOTSUPP, the new destination left empty.</summary>
    [Theory]
    [InlineData("xfs", "0", "0 (regular file, size 16KiB, blocks 32, STATX_ATTR_DAX)")]
    [InlineData("ext4", "-EOPNOTSUPP (/copy created and left empty)", "0 (regular file, size 0, blocks 0, STATX_ATTR_DAX)")]
    public void Clone_IsFiclone_NeverASilentCopy_VfsCloneFileRange(string type, string clone, string stat)
    {
        var steps = Steps(type, """
              - clone: { from: /seed, to: /copy }
              - stat: { path: /copy }
              - clone: { from: /none, to: /copy2 }
            """);
        steps[0].Result.ToString().ShouldBe(clone);
        steps[1].Result.ToString().ShouldBe(stat);
        steps[2].Result.Value.ShouldBe("-ENOENT");
    }

    [Fact]
    public void CloneOf_WithoutFallback_LeavesTheFileEmpty_WithFallbackCopies()
    {
        string Setup(string fallback) => string.Join("\n", ScenarioHarness.Run(Scenario("ext4", "  - stat: { path: /b }",
            files: $"  - {{ path: /a, size: 8KiB }}\n  - {{ path: /b, clone-of: /a{fallback} }}")).ShouldHaveSingleItem().Steps.Skip(1).Select(s => s.Result.ToString()));

        Setup("").ShouldBe("0 (regular file, size 0, blocks 0, STATX_ATTR_DAX)");
        Setup(", fallback: copy").ShouldBe("0 (regular file, size 8KiB, blocks 16, STATX_ATTR_DAX)");
    }

    [Fact]
    public void When_SkipsAStep_InOtherCells_KeepingItsNumber()
    {
        var yaml = Scenario("xfs", """
              - mkdir: { path: /d }
                when: { filesystem.type: ext4 }
              - readdir: { path: / }
            """) + "\nmatrix:\n  filesystem.type: [xfs, ext4]\n";
        var runs = ScenarioHarness.Run(yaml.Replace("mkfs: { reflink: 1, rmapbt: 1 }", "mkfs: \"\"", StringComparison.Ordinal));
        runs[0].Steps[1].Result.ToString().ShouldBe("skipped: when filesystem.type is ext4");
        runs[0].Steps[2].Number.ShouldBe(2);
        runs[1].Steps[1].Result.ToString().ShouldBe("0");
        runs[1].Steps[2].Result.ToString().ShouldBe("0 (d/ lost+found/ seed)");
    }

    /// <summary>pfn-of a map: the pfn the mapping saw, still the target after its task exited and the file was deleted.</summary>
    [Fact]
    public void PfnOfMap_OutlivesTheTaskAndTheFile_PfnOfFile_IsTheBlockMapNow()
    {
        var steps = Steps("ext4", """
              - spawn: { task: m, comm: mapper, pid: 5001 }
              - mmap: { task: m, as: map, file: /seed, length: 16KiB }
              - touch: { task: m, map: map, offset: 8KiB, length: 4KiB }
              - machine-check: { target: { pfn-of: { file: /seed, offset: 8KiB } } }
              - exit: { task: m }
              - unlink: { file: /seed }
              - machine-check: { target: { pfn-of: { map: map, offset: 8KiB } } }
            """);
        var byFile = steps[3].What;
        var byMap = steps[6].What;
        byFile.ShouldContain("(/seed+8KiB, device offset");
        byMap.ShouldContain("(the pfn map+8KiB saw)");
        byMap.Split(" pfn ")[1].Split(' ')[0].ShouldBe(byFile.Split(" pfn ")[1].Split(' ')[0]);
    }

    [Fact]
    public void PfnOfMap_OfAPageNeverTouched_IsAScenarioError() =>
        Should.Throw<DaxHolder.Scenarios.Language.ScenarioException>(() => ScenarioHarness.Run(Scenario("xfs", """
              - spawn: { task: m, comm: mapper, pid: 5001 }
              - mmap: { task: m, as: map, file: /seed, length: 16KiB }
              - machine-check: { target: { pfn-of: { map: map, offset: 8KiB } } }
            """))).Message.ShouldContain("mapping map never saw a page at offset 8KiB before this step (touch it first)");

    [Theory]
    [InlineData("  - fsync: { path: /seed, task: t, fd: x }", "fsync takes a path, or a task and the fd it opened")]
    [InlineData("  - spawn: { task: t, comm: t, pid: 5001 }\n  - close: { task: t, fd: nope }", "no open file named 'nope' exists at this step")]
    [InlineData("  - clone: { from: /seed, to: /seed }", "FICLONE of a file onto itself")]
    [InlineData("  - chattr: { path: /seed }", "'dax' is required here")]
    [InlineData("  - stat: { path: relative }", "is not an absolute file path")]
    [InlineData("  - machine-check: { target: { pfn-of: { file: /seed, map: m } } }", "pfn-of names a map")]
    public void MalformedFileSteps_AreLocatedErrors(string steps, string message) =>
        ScenarioHarness.Error(Scenario("xfs", steps)).Message.ShouldContain(message);
}
