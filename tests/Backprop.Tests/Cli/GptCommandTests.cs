using System.Globalization;

namespace Backprop.Tests.Cli;

/// <summary>`train --model gpt` and `generate`, end to end on a small text.</summary>
public sealed class GptCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-gpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TrainsOnATextFileAndGeneratesWhatItLearned()
    {
        var text = Path.Combine(_dir, "fox.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog. ", 300)));
        var run = Path.Combine(_dir, "run");
        var (code, output) = CliRunner.Run("train", "--model", "gpt", "--data", text, "--steps", "150", "--batch-size", "8", "--context", "24", "--width", "32", "--depth", "1", "--heads", "2",
            "--lr", "0.01", "--warmup-steps", "10", "--eval-interval", "50", "--seed", "3", "--out", run);
        Assert.True(code == 0, output);
        Assert.Contains("step    50/150", output);
        Assert.Contains("28 characters", output);

        // The stated target: the held-out loss of the repeated sentence falls from ln 28 = 3.33 to below 0.3.
        var history = File.ReadAllLines(Path.Combine(run, "history.csv"));
        Assert.Equal("step,train_loss,val_loss,lr,tokens_per_s", history[0]);
        Assert.Equal(4, history.Length);
        var finalLoss = double.Parse(history[^1].Split(',')[2], CultureInfo.InvariantCulture);
        Assert.True(finalLoss < 0.3, $"validation loss {finalLoss} after 150 steps");
        Assert.True(File.Exists(Path.Combine(run, "checkpoint.safetensors")));

        var model = Path.Combine(run, "model.safetensors");
        (code, output) = CliRunner.Run("generate", "--model", model, "--prompt", "the quick", "--tokens", "20", "--temperature", "0");
        Assert.True(code == 0, output);
        Assert.StartsWith("the quick brown fox jumps ove\n", output);
        Assert.Contains("20 characters in", output);

        var first = CliRunner.Run("generate", "--model", model, "--prompt", "lazy", "--tokens", "60", "--seed", "5").Output.Split('\n')[0];
        Assert.Equal(first, CliRunner.Run("generate", "--model", model, "--prompt", "lazy", "--tokens", "60", "--seed", "5").Output.Split('\n')[0]);

        var png = Path.Combine(_dir, "attention.png");
        (code, output) = CliRunner.Run("explain", "attention", "--model", model, "--text", "the quick brown", "--out", png);
        Assert.True(code == 0, output);
        Assert.Contains("1 rows (blocks) of 2 heads, each 15×15", output);
        Assert.Contains("where the last character, 'n', looks", output);
        var image = SkiaSharp.SKBitmap.Decode(png);
        Assert.True(image.Width > 15 && image.Height > 15);

        (code, output) = CliRunner.Run("export", "--onnx", "--model", model, "--out", Path.Combine(_dir, "fox.onnx"));
        Assert.True(code == 0, output);
        Assert.Contains("input int64 token ids [batch, 24], output logits [batch, 24, 28]", output);
        Assert.True(new FileInfo(Path.Combine(_dir, "fox.onnx")).Length > 10_000);

        (code, output) = CliRunner.Run("generate", "--model", model, "--prompt", "QUICK");
        Assert.NotEqual(0, code);
        Assert.Contains("'Q' (U+0051) at offset 0 is not in the vocabulary", output);
    }

    [Fact]
    public void AnInterruptedRunResumesToTheSameHistoryAndModel()
    {
        var text = Path.Combine(_dir, "abc.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Range(0, 400).Select(i => (char)('a' + ((i * i) % 7)))));
        string[] run = ["train", "--model", "gpt", "--data", text, "--steps", "30", "--batch-size", "4", "--context", "8", "--width", "16", "--depth", "1", "--heads", "2", "--eval-interval", "10", "--warmup-steps", "5"];
        Assert.Equal(0, CliRunner.Run([.. run, "--out", Path.Combine(_dir, "straight")]).Code);

        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var (code, output) = CliRunner.Run(stop.Token, [.. run, "--out", Path.Combine(_dir, "resumed")]);
        Assert.Equal(130, code);
        Assert.Contains("Interrupted at step 1; checkpoint saved.", output);
        (code, output) = CliRunner.Run("train", "--resume", Path.Combine(_dir, "resumed", "checkpoint.safetensors"));
        Assert.True(code == 0, output);
        Assert.Contains("Resuming at step 2 of 30", output);

        // Steps, training and validation losses and learning rates match (tokens per second may not), and so do the weights.
        static string[] Losses(string dir) => [.. File.ReadAllLines(Path.Combine(dir, "history.csv")).Select(l => string.Join(',', l.Split(',')[..4]))];
        Assert.Equal(Losses(Path.Combine(_dir, "straight")), Losses(Path.Combine(_dir, "resumed")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "straight", "model.safetensors")), File.ReadAllBytes(Path.Combine(_dir, "resumed", "model.safetensors")));
    }

    [Fact]
    public void BadOptionsAndFilesAreNamed()
    {
        var (code, output) = CliRunner.Run("train", "--model", "gpt", "--epochs", "3");
        Assert.NotEqual(0, code);
        Assert.Contains("--epochs does not apply", output);

        (code, output) = CliRunner.Run("train", "--model", "gpt", "--data", Path.Combine(_dir, "missing.txt"));
        Assert.NotEqual(0, code);
        Assert.Contains("missing.txt' is not a file", output);

        var binary = Path.Combine(_dir, "binary.txt");
        File.WriteAllBytes(binary, [(byte)'a', (byte)'b', 0xFF, (byte)'c']);
        (code, output) = CliRunner.Run("train", "--model", "gpt", "--data", binary);
        Assert.NotEqual(0, code);
        Assert.Contains("at byte 2: not UTF-8 text", output);

        (code, output) = CliRunner.Run("train", "--model", "gpt", "--width", "30", "--heads", "4");
        Assert.NotEqual(0, code);
        Assert.Contains("--width a multiple of --heads", output);

        var notGpt = Path.Combine(_dir, "mlp.safetensors");
        Backprop.IO.Safetensors.Save(notGpt, new Backprop.NN.Linear(2, 2).StateDict(), new Dictionary<string, string>());
        (code, output) = CliRunner.Run("generate", "--model", notGpt);
        Assert.NotEqual(0, code);
        Assert.Contains("not a GPT model file", output);
    }
}
