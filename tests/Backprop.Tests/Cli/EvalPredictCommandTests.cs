using Backprop.Cli.Models;
using SkiaSharp;

namespace Backprop.Tests.Cli;

public sealed class EvalPredictCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string TrainedModel()
    {
        var (code, output) = CliRunner.Run("train", "--limit", "3000", "--epochs", "2", "--optimizer", "adam", "--lr", "0.003", "--out", _dir);
        Assert.True(code == 0, output);
        return Path.Combine(_dir, "model.safetensors");
    }

    [Fact]
    public void EvalReportsAccuracyPerClassScoresAndAConfusionMatrix()
    {
        var model = TrainedModel();
        var png = Path.Combine(_dir, "cm.png");
        var (code, output) = CliRunner.Run("eval", "--model", model, "--out", png);
        Assert.True(code == 0, output);
        Assert.Matches(@"on 10,000 samples: accuracy (7\d|8\d|9\d)\.\d\d%", output);
        Assert.Contains("precision", output, StringComparison.Ordinal);
        Assert.Contains("Confusion matrix", output, StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void PredictClassifiesIdxImagesAndAPng()
    {
        var model = TrainedModel();
        var images = Path.Combine(AppContext.BaseDirectory, "data", "mnist", "t10k-images-idx3-ubyte.gz");
        var (code, output) = CliRunner.Run("predict", "--model", model, "--input", images, "--count", "3");
        Assert.True(code == 0, output);
        var firstRow = output.Split('\n').First(l => l.TrimStart().StartsWith("0 ", StringComparison.Ordinal));
        Assert.Contains(" 7 ", firstRow, StringComparison.Ordinal);

        // The first test image (a 7), drawn dark on light as a person would, saved as PNG.
        var pixels = Backprop.Data.Mnist.Load(Path.GetDirectoryName(images)!, train: false).Inputs.Narrow(0, 0, 1).ToArray();
        using var bitmap = new SKBitmap(28, 28);
        for (var i = 0; i < 784; i++)
        {
            var v = (byte)(255 - (pixels[i] * 255));
            bitmap.SetPixel(i % 28, i / 28, new SKColor(v, v, v));
        }

        var png = Path.Combine(_dir, "seven.png");
        using (var stream = File.Create(png))
        {
            bitmap.Encode(stream, SKEncodedImageFormat.Png, 100);
        }

        var digit = Backprop.Cli.Prediction.DigitImage.Load(png);
        Assert.True(digit.Zip(pixels, (a, b) => Math.Abs(a - b)).Max() < 0.01f);
        var fromPng = CliRunner.Run("predict", "--model", model, "--input", png);
        Assert.True(fromPng.Code == 0, fromPng.Output);
        Assert.Contains(" 7 ", fromPng.Output.Split('\n').First(l => l.TrimStart().StartsWith("0 ", StringComparison.Ordinal)), StringComparison.Ordinal);

        // A truncated PNG is refused rather than predicted from part of the picture.
        var bytes = File.ReadAllBytes(png);
        var cut = Path.Combine(_dir, "cut.png");
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);
        Assert.Contains("truncated", Assert.Throws<DataFileException>(() => Backprop.Cli.Prediction.DigitImage.Load(cut)).Message, StringComparison.Ordinal);
        var fromCut = CliRunner.Run("predict", "--model", model, "--input", cut);
        Assert.NotEqual(0, fromCut.Code);
        Assert.Contains("cut.png", fromCut.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingOrCorruptModelFilesGetOneLineAndStayIntact()
    {
        var corrupt = Path.Combine(_dir, "corrupt.safetensors");
        File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        var cases = new (string[] Args, string Fragment)[]
        {
            (["eval", "--model", Path.Combine(_dir, "none.safetensors")], "no such model file"),
            (["eval", "--model", corrupt], "header length"),
            (["predict", "--model", corrupt, "--input", corrupt], "header length"),
            (["eval"], "--model is required"),
            (["predict", "--model", corrupt], "--input is required"),
        };
        foreach (var (args, fragment) in cases)
        {
            var (code, output) = CliRunner.Run(args);
            Assert.NotEqual(0, code);
            Assert.Contains(fragment, output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        }

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], File.ReadAllBytes(corrupt));
    }

    [Fact]
    public void APyTorchFileLoadsWithLayersFromItsMetadataOrTheCommandLine()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "mlp3.safetensors");
        var fromMetadata = ModelFile.Load(fixture, null, null);
        Assert.Equal("4,8,6,3 tanh MLP", fromMetadata.Spec.Name);
        Assert.Equal("Linear(4, 8)\nTanh()\nLinear(8, 6)\nTanh()\nLinear(6, 3)\n", fromMetadata.Spec.Text);
        var wrong = Assert.Throws<ArgumentException>(() => ModelFile.Load(fixture, "4,8,3", "tanh"));
        Assert.Contains("do not fit the model 4,8,3 tanh MLP", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetadataCannotMakeTheLoaderAllocateAndNonFiniteWeightsAreRefused()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "mlp3.safetensors");
        var tensors = Backprop.IO.Safetensors.Load(fixture).Tensors;

        // Metadata that names a huge layer is checked against the tensors before anything is built.
        var huge = Path.Combine(_dir, "huge.safetensors");
        Backprop.IO.Safetensors.Save(huge, tensors, new Dictionary<string, string> { ["layers"] = "4,2000000,3", ["activation"] = "tanh" });
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Load(huge, null, null));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "the loader allocated the named architecture");
        Assert.Contains("0.weight is [8,4], not [2000000,4]", e.Message, StringComparison.Ordinal);
        Assert.Contains("more than one tensor can", Assert.Throws<ArgumentException>(() => ModelFile.Load(huge, "784,2000000000,10", null)).Message, StringComparison.Ordinal);

        var broken = tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        broken["2.bias"][1] = float.NaN;
        var nan = Path.Combine(_dir, "nan.safetensors");
        Backprop.IO.Safetensors.Save(nan, broken, new Dictionary<string, string> { ["layers"] = "4,8,6,3", ["activation"] = "tanh" });
        Assert.Contains("tensor '2.bias' holds NaN at element 1", Assert.Throws<ArgumentException>(() => ModelFile.Load(nan, null, null)).Message, StringComparison.Ordinal);
        var (code, output) = CliRunner.Run("predict", "--model", nan, "--input", huge);
        Assert.NotEqual(0, code);
        Assert.Contains("NaN", output, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictRunsAPyTorchModelWithOrWithoutArchitectureMetadata()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "mlp3.safetensors");
        var csv = Path.Combine(_dir, "rows.csv");
        File.WriteAllLines(csv, ["a,b,c,d", "0.1,0.2,0.3,0.4", "-1,0.5,2,0"]);
        var withMetadata = CliRunner.Run("predict", "--model", fixture, "--input", csv);
        Assert.True(withMetadata.Code == 0, withMetadata.Output);

        // The same weights without metadata need --layers and --activation.
        var bare = Path.Combine(_dir, "bare.safetensors");
        Backprop.IO.Safetensors.Save(bare, Backprop.IO.Safetensors.Load(fixture).Tensors);
        var missing = CliRunner.Run("predict", "--model", bare, "--input", csv);
        Assert.NotEqual(0, missing.Code);
        Assert.Contains("pass --layers", missing.Output, StringComparison.Ordinal);
        var withLayers = CliRunner.Run("predict", "--model", bare, "--input", csv, "--layers", "4,8,6,3", "--activation", "tanh");
        Assert.Equal(withMetadata.Output, withLayers.Output);
    }
}
