namespace Backprop.Tests.Cli;

/// <summary>`backprop train` on small slices of the bundled MNIST, so that the suite stays fast.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out(string name) => Path.Combine(_dir, name);

    private static readonly string[] Quick = ["train", "--limit", "1200", "--epochs", "2", "--batch-size", "100", "--threads", "2", "--optimizer", "adam", "--lr", "0.003"];

    [Fact]
    public void TrainsSavesAndReports()
    {
        var (code, output) = CliRunner.Run([.. Quick, "--out", Out("a")]);
        Assert.True(code == 0, output);
        Assert.Contains("epoch 2/2", output, StringComparison.Ordinal);
        Assert.Contains("Training summary", output, StringComparison.Ordinal);
        Assert.Matches(@"test accuracy (7\d|8\d|9\d)\.\d\d% after 2 epochs", output);
        foreach (var file in new[] { "model.safetensors", "best.safetensors", "checkpoint.safetensors", "training.png", "history.csv" })
        {
            Assert.True(File.Exists(Path.Combine(Out("a"), file)), file);
        }

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(Out("a"), "training.png"))[..4]);
        var model = Backprop.IO.Safetensors.Load(Path.Combine(Out("a"), "model.safetensors"));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], model.Tensors.Keys);
        Assert.Equal("784,256,128,10", model.Metadata["layers"]);
        Assert.Equal("relu", model.Metadata["activation"]);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(Out("a"), "history.csv")).Length);
    }

    [Fact]
    public void TheSameSeedGivesTheSameLossesBitForBit()
    {
        var first = CliRunner.Run([.. Quick, "--seed", "7", "--out", Out("s1")]);
        var second = CliRunner.Run([.. Quick, "--seed", "7", "--out", Out("s2")]);
        var other = CliRunner.Run([.. Quick, "--seed", "8", "--out", Out("s3")]);
        Assert.Equal(0, first.Code + second.Code + other.Code);
        static string[] Losses(string dir) => File.ReadAllLines(Path.Combine(dir, "history.csv")).Select(l => string.Join(',', l.Split(',')[..5])).ToArray();
        Assert.Equal(Losses(Out("s1")), Losses(Out("s2")));
        Assert.NotEqual(Losses(Out("s1")), Losses(Out("s3")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Out("s1"), "model.safetensors")), File.ReadAllBytes(Path.Combine(Out("s2"), "model.safetensors")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InterruptSavesACheckpointAndResumeFinishesTheSameRun(bool augment)
    {
        string[] run = augment ? [.. Quick, "--augment"] : Quick;
        var straight = CliRunner.Run([.. run, "--out", Out("straight")]);
        Assert.Equal(0, straight.Code);

        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var (code, output) = CliRunner.Run(stop.Token, [.. run, "--out", Out("resumed")]);
        Assert.Equal(130, code);
        Assert.Contains("Interrupted at epoch 1, batch 1", output, StringComparison.Ordinal);
        var checkpoint = Path.Combine(Out("resumed"), "checkpoint.safetensors");
        Assert.Contains($"backprop train --resume {checkpoint}", output.ReplaceLineEndings(""), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Out("resumed"), "model.safetensors")));

        var resumed = CliRunner.Run("train", "--resume", checkpoint);
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.Contains("Resuming at epoch 1, batch 1", resumed.Output, StringComparison.Ordinal);
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(Out("straight"), "model.safetensors")),
            File.ReadAllBytes(Path.Combine(Out("resumed"), "model.safetensors")));

        // The interrupted epoch's averages cover its batches from before the interruption too.
        static string[] Losses(string dir) => [.. File.ReadAllLines(Path.Combine(dir, "history.csv")).Select(l => string.Join(',', l.Split(',')[..5]))];
        Assert.Equal(Losses(Out("straight")), Losses(Out("resumed")));
        if (augment)
        {
            // Augmented batches differ from the plain ones: the same run without --augment has other losses.
            Assert.Contains(", augmented", straight.Output, StringComparison.Ordinal);
            var plain = CliRunner.Run([.. Quick, "--out", Out("plain")]);
            Assert.NotEqual(Losses(Out("plain")), Losses(Out("straight")));
        }
    }

    [Fact]
    public void ANaNValidationLossStopsTheRunAndNoFigureMakesASaveFail()
    {
        // The split the command makes (seed 1, a fifth for validation) puts these rows in the validation set:
        // give one of them a value that overflows once standardised, so that training stays finite and validation does not.
        const int Rows = 60;
        var split = new Backprop.Data.TensorDataset(Tensor.Zeros(Rows, 1), Tensor.Zeros([Rows], DType.Int64)).RandomSplit([0.8f, 0.2f], new Generator(1 ^ 0x5A17));
        var poisoned = split[1].Indices[0];
        var csv = Out("huge.csv");
        var lines = new List<string> { "a,b,class" };
        for (var i = 0; i < Rows; i++)
        {
            lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(i == poisoned ? 3e38 : i % 2 * 0.1)},{i % 5},{i % 2}"));
        }

        File.WriteAllLines(csv, lines);
        var (code, output) = CliRunner.Run("train", "--data", csv, "--label", "class", "--layers", "2,4,2", "--epochs", "2", "--out", Out("huge"));
        Assert.True(code == 3, output);
        Assert.Matches(@"error: the validation loss became (NaN|-?Infinity|∞) at epoch 1", output);
        Assert.DoesNotContain("100.00%", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void NaNLossStopsWithTheEpochAndBatchAndKeepsTheLastGoodCheckpoint()
    {
        Assert.Equal(0, CliRunner.Run([.. Quick, "--epochs", "1", "--out", Out("nan")]).Code);
        var checkpoint = Path.Combine(Out("nan"), "checkpoint.safetensors");
        var before = File.ReadAllBytes(checkpoint);
        var (code, output) = CliRunner.Run([.. Quick, "--lr", "1e30", "--schedule", "none", "--out", Out("nan")]);
        Assert.Equal(3, code);
        Assert.Matches(@"error: the loss became (NaN|∞|-?Infinity) at epoch 1, batch \d+", output);
        Assert.Contains("--lr", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void BadInputGetsOneClearLineAndANonZeroExitCode()
    {
        var cases = new (string[] Args, string Fragment)[]
        {
            (["train", "--data", Out("nowhere")], "neither an MNIST directory nor a .csv file"),
            (["train", "--layers", "784,64,5", "--limit", "100"], "the last 10"),
            (["train", "--layers", "784,x,10"], "'x' is not a positive layer size"),
            (["train", "--activation", "swish"], "'swish' is not one of"),
            (["train", "--optimizer", "lbfgs", "--limit", "100"], "'lbfgs' is not one of"),
            (["train", "--batch-size", "0"], "--batch-size"),
            (["train", "--bogus"], "bogus"),
            (["train", "--resume", Out("missing.safetensors")], "no such file"),
            (["train", "--weight-decay", "NaN"], "--weight-decay (NaN)"),
            (["train", "--clip-grad-norm", "-1"], "--clip-grad-norm (-1, 0 for none) must be finite numbers >= 0"),
            (["train", "--momentum", "1.5"], "--momentum (1.5) in [0, 1)"),
            (["train", "--threads", "1000"], "--threads 1000: this machine has"),
            (["train", "--batch-size", "2147483647"], "use at most 16,777,216"),
            (["train", "--layers", "784,2000000000,10"], "more than one tensor can"),
            (["train", "--lr", "abc"], "--lr: 'abc' is not a number."),
            (["train", "--seed", "-1"], "--seed: '-1' is not a whole number >= 0."),
            (["predict", "--model", "m.safetensors", "--count=x"], "--count: 'x' is not a whole number."),
        };
        foreach (var (args, fragment) in cases)
        {
            var (code, output) = CliRunner.Run(args);
            Assert.True(code != 0, string.Join(' ', args));
            Assert.Contains(fragment, output, StringComparison.Ordinal);
            Assert.StartsWith("error:", output.TrimStart(), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ADivergingRunIsWarnedAboutAndTheBestEpochIsKept()
    {
        var (code, output) = CliRunner.Run("train", "--limit", "1200", "--epochs", "1", "--batch-size", "100", "--schedule", "none", "--lr", "100", "--out", Out("diverge"));
        Assert.True(code == 0, output);
        Assert.Contains("warning: the training loss grew from", output.ReplaceLineEndings(" "), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Out("diverge"), "best.safetensors")));

        // A healthy run's best epoch is its lowest validation loss, kept beside the last one.
        var healthy = CliRunner.Run([.. Quick, "--epochs", "3", "--out", Out("healthy")]);
        Assert.True(healthy.Code == 0, healthy.Output);
        Assert.DoesNotContain("warning:", healthy.Output, StringComparison.Ordinal);
        var history = File.ReadAllLines(Path.Combine(Out("healthy"), "history.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[3], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var bestEpoch = history.IndexOf(history.Min()) + 1;
        var best = Backprop.IO.Safetensors.Load(Path.Combine(Out("healthy"), "best.safetensors"));
        Assert.Equal(bestEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture), best.Metadata["epoch"]);
        Assert.Contains($"best.safetensors (epoch {bestEpoch}", healthy.Output.ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    [Fact]
    public void ALargeModelGetsAMemoryWarning()
    {
        var (code, output) = CliRunner.Run("train", "--layers", "784,70000,10", "--limit", "20", "--epochs", "1", "--batch-size", "10", "--out", Out("large"));
        Assert.True(code == 0, output);
        Assert.Contains("warning: 784,70000,10 relu MLP holds 55,650,010 parameters; training it needs about 0.9 GB", output.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void TrainsOnACsvFileWithALabelColumn()
    {
        var csv = Out("blobs.csv");
        var g = new Generator(3);
        var lines = new List<string> { "x,y,class,z" };
        for (var i = 0; i < 300; i++)
        {
            var c = i % 3;
            lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(c * 4) + g.NextNormal()},{(c == 1 ? 5 : -5) + g.NextNormal()},{c},{g.NextNormal() * 100}"));
        }

        File.WriteAllLines(csv, lines);
        var (code, output) = CliRunner.Run("train", "--data", csv, "--label", "class", "--layers", "3,16,3", "--epochs", "20", "--batch-size", "32", "--out", Out("csv"));
        Assert.True(code == 0, output);
        Assert.Matches(@"validation accuracy (9\d|100)\.\d\d%", output);

        var predict = CliRunner.Run("predict", "--model", Path.Combine(Out("csv"), "model.safetensors"), "--input", csv, "--label", "class", "--count", "5");
        Assert.Equal(0, predict.Code);
        Assert.Contains("class probabilities", predict.Output, StringComparison.Ordinal);

        var missing = CliRunner.Run("train", "--data", csv, "--label", "kind", "--layers", "3,16,3");
        Assert.NotEqual(0, missing.Code);
        Assert.Contains("'kind' is not in the header", missing.Output, StringComparison.Ordinal);
    }
}
