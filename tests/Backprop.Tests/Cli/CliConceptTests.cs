using Backprop.Cli.Models;

namespace Backprop.Tests.Cli;

/// <summary>Each command-line concept lives in one place: names, defaults, what --resume may change, output names, help.</summary>
public sealed class CliConceptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    [InlineData("predict")]
    [InlineData("export")]
    [InlineData("explain")]
    [InlineData("explain chain")]
    [InlineData("explain flow")]
    [InlineData("explain filters")]
    [InlineData("explain activations")]
    [InlineData("explain attention")]
    [InlineData("generate")]
    [InlineData("graph")]
    [InlineData("bench")]
    public void EveryCommandPrintsItsHelp(string command)
    {
        var (code, output) = CliRunner.Run([.. command.Split(' '), "--help"]);
        Assert.True(code == 0, output);
        Assert.Contains("USAGE:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("error", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void OneTableOfNamesAcceptsEverySpellingAndListsTheChoices()
    {
        Assert.Equal("leaky-relu", Names.Activation("LEAKY_RELU"));
        Assert.Equal("leaky-relu", Names.Activation("leakyrelu"));
        Assert.Equal("cross-entropy", Names.Loss(" CrossEntropy "));
        Assert.Equal("half-squared", Names.Loss("half_squared"));
        var e = Assert.Throws<ArgumentException>(() => Names.Loss("hinge"));
        Assert.Contains("cross-entropy, mse, half-squared", e.Message, StringComparison.Ordinal);
        Assert.Equal("leaky-relu", MlpSpec.Parse("4,3", "Leaky_ReLU").Activation);

        var (code, output) = CliRunner.Run("explain", "--activation", "gelu");
        Assert.NotEqual(0, code);
        Assert.Contains("explain derives relu, leaky-relu, sigmoid and tanh by hand, not gelu", output, StringComparison.Ordinal);
        var mse = CliRunner.Run("explain", "--loss", "MSE", "--steps", "1");
        Assert.True(mse.Code == 0, mse.Output);
    }

    [Fact]
    public void ResumeRefusesByNameTheOptionsItsCheckpointFixes()
    {
        var run = Path.Combine(_dir, "run");
        var first = CliRunner.Run("train", "--limit", "300", "--epochs", "1", "--batch-size", "100", "--out", run);
        Assert.True(first.Code == 0, first.Output);
        var checkpoint = Path.Combine(run, "checkpoint.safetensors");

        var (code, output) = CliRunner.Run("train", "--resume", checkpoint, "--lr", "0.01", "--batch-size", "50");
        Assert.NotEqual(0, code);
        Assert.Contains("--lr, --batch-size cannot change it", output, StringComparison.Ordinal);

        var more = CliRunner.Run("train", "--resume", checkpoint, "--epochs", "2");
        Assert.True(more.Code == 0, more.Output);
        Assert.Contains("epoch 2/2", more.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void PlotsGetThePngExtensionWhenTheNameHasNone()
    {
        var (code, output) = CliRunner.Run("explain", "flow", "--steps", "1", "--out", Path.Combine(_dir, "flow"));
        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(_dir, "flow.png")));
        Assert.False(File.Exists(Path.Combine(_dir, "flow")));
        Assert.Contains("flow.png", output, StringComparison.Ordinal);
    }
}
