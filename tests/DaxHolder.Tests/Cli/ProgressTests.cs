using DaxHolder.Cli;

namespace DaxHolder.Tests.Cli;

/// <summary>Progress goes to stderr, only when stderr is a terminal and the run outlasts the delay; stdout is never touched.</summary>
public sealed class ProgressTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void ASingleCellRunLongerThanTheDelay_ShowsProgressOnStderr_WhenStderrIsATerminal()
    {
        var (context, output, error) = Context(errorTerminal: true);

        var result = ScenarioOptions.WithProgress(context, 1, "running slow", done => Slow(done, 1), Delay);

        result.ShouldBe(42);
        error.ToString().ShouldContain("running slow");
        output.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void ARunShorterThanTheDelay_ShowsNoProgress()
    {
        var (context, _, error) = Context(errorTerminal: true);

        ScenarioOptions.WithProgress(context, 3, "running quick", done => { done(); return 7; }, TimeSpan.FromSeconds(30)).ShouldBe(7);

        error.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void WhenStderrIsNotATerminal_ThereIsNoProgress_EvenForALongRun()
    {
        var (context, output, error) = Context(errorTerminal: false);

        ScenarioOptions.WithProgress(context, 2, "running slow", done => Slow(done, 2), Delay).ShouldBe(42);

        error.ToString().ShouldBeEmpty();
        output.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void AnErrorInTheRun_ReachesTheCallerAsItWasThrown()
    {
        var (context, _, _) = Context(errorTerminal: true);

        Should.Throw<InvalidOperationException>(() => ScenarioOptions.WithProgress<int>(context, 1, "failing", _ =>
        {
            Thread.Sleep(200);
            throw new InvalidOperationException("the run failed");
        }, Delay)).Message.ShouldBe("the run failed");
    }

    private static int Slow(Action done, int cells)
    {
        for (var i = 0; i < cells; i++)
        {
            Thread.Sleep(300);
            done();
        }

        return 42;
    }

    private static (CliContext Context, StringWriter Output, StringWriter Error) Context(bool errorTerminal)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        return (new CliContext(output, error, AppContext.BaseDirectory, null, IsTerminal: false) { IsErrorTerminal = errorTerminal }, output, error);
    }
}
