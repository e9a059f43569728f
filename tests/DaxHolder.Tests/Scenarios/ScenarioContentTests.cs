using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// A file's <c>content</c> (named pattern runs) and the source-tree rules of a filesystem that
/// builds its files at mkfs (EROFS): every bad input is one located error.
/// </summary>
public class ScenarioContentTests
{
    private const string Erofs = "filesystem: { type: erofs, mkfs: \"chunksize=4096\", mount: \"dax=always\" }\n";

    [Fact]
    public void ContentRuns_ThatDoNotAddUpToTheSize_AreRefused()
    {
        var error = ScenarioHarness.Error(Erofs + "files:\n  - path: /a\n    size: 64KiB\n    content:\n      - { pattern: A, length: 32KiB }\n");

        error.Where.Field.ShouldBe("files[0].content");
        error.Problem.ShouldBe("the content runs add up to 32KiB, not the file's size 64KiB");
    }

    [Fact]
    public void ABadPatternName_IsRefusedAtIt()
    {
        var error = ScenarioHarness.Error(Erofs + "files:\n  - { path: /a, size: 4KiB, content: \"a b\" }\n");

        error.Where.Field.ShouldBe("files[0].content");
        error.Problem.ShouldContain("'a b' is not a pattern name");
    }

    [Fact]
    public void AContentRunWithoutALength_IsRefused()
    {
        var error = ScenarioHarness.Error(Erofs + "files:\n  - path: /a\n    size: 4KiB\n    content: [{ pattern: A }]\n");

        error.Where.Field.ShouldBe("files[0].content[0]");
        error.Problem.ShouldBe("'length' is required here");
    }

    [Fact]
    public void AnUnknownFieldInARun_IsRefused()
    {
        var error = ScenarioHarness.Error(Erofs + "files:\n  - path: /a\n    size: 4KiB\n    content: [{ pattern: A, length: 4KiB, seed: 1 }]\n");

        error.Where.Field.ShouldBe("files[0].content[0].seed");
    }

    [Fact]
    public void ContentOnAClone_IsRefused()
    {
        var error = ScenarioHarness.Error("filesystem: { type: xfs, mkfs: \"reflink=1\" }\nfiles:\n  - { path: /a, size: 4KiB }\n  - { path: /b, clone-of: /a, content: A }\n");

        error.Where.Field.ShouldBe("files[1].content");
        error.Problem.ShouldContain("a clone holds its source's content");
    }

    [Fact]
    public void ContentOnAnUnwrittenFile_IsRefused()
    {
        var error = ScenarioHarness.Error("filesystem: { type: xfs }\nfiles:\n  - { path: /a, size: 4KiB, contents: unwritten, content: A }\n");

        error.Problem.ShouldContain("this file is 'unwritten'");
    }

    [Theory]
    [InlineData("{ path: /a, size: 4KiB, contents: hole }", "contents: hole")]
    [InlineData("{ path: /a, size: 4MiB, extent-size-hint: 2MiB }", "extent-size-hint")]
    public void OnAFilesystemBuiltAtMkfs_WhatASourceTreeCannotHold_IsRefusedAtTheFile(string file, string what)
    {
        var error = ScenarioHarness.Error(Erofs + "files:\n  - " + file + "\n");

        error.Where.Field.ShouldBe("files[0]");
        error.Problem.ShouldBe($"/a: mkfs.erofs builds the files from a source tree at mkfs, where '{what}' cannot be expressed; give the file's data (size and content) instead");
    }

    [Fact]
    public void OnAFilesystemBuiltAtMkfs_TheFilesGoToMkfs_AndNothingIsMadeAfterMount()
    {
        var run = ScenarioHarness.Run(Erofs + "files:\n  - { path: /a, size: 8KiB, content: A }\n  - { path: /b, size: 8KiB, content: [{ pattern: A, length: 4KiB }, { pattern: B, length: 4KiB }] }\n");

        var setup = run.ShouldHaveSingleItem().Steps[0];
        setup.Result.ShouldBe(StepResult.Ok);
        setup.Decisions.OfType<FileBuiltByMkfs>().Select(f => $"{f.Path}: {f.Size.Value} by mkfs.{f.FileSystemType} ({f.Content})").ShouldBe([
            "/a: 8192 by mkfs.erofs (8192 A)",
            "/b: 8192 by mkfs.erofs (4096 A + 4096 B)",
        ]);
    }
}
