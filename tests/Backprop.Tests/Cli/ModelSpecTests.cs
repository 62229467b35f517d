using Backprop.Cli.Models;
using Backprop.NN;

namespace Backprop.Tests.Cli;

/// <summary>The model file format of <c>train --model</c>: parsing, errors, presets, and training from a file.</summary>
public sealed class ModelSpecTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TextParsesToLayersAndFormatsBack()
    {
        const string Text = """
            # a comment line
            Conv2d(1, 8, kernel_size=(3, 3), padding='same')   # trailing comment
            BatchNorm2d(8, momentum=None)
            Residual(
                Conv2d(8, 8, 3, padding=1, bias=False)
            shortcut:
                Conv2d(8, 8, 1)
            )
            AdaptiveAvgPool2d(1)
            Flatten()
            Linear(8, 10)
            """;
        var layers = ModelText.Parse(Text, "net.txt");
        Assert.Equal(["Conv2d", "BatchNorm2d", "Residual", "AdaptiveAvgPool2d", "Flatten", "Linear"], layers.Select(l => l.Name));
        Assert.Equal(2, layers[0].Line);
        Assert.Equal(new object[] { 3, 3 }, (object[])layers[0].Arguments[2].Value!);
        Assert.Null(layers[1].Arguments[1].Value);
        Assert.Single(layers[2].Body!);
        Assert.Single(layers[2].Shortcut!);
        var formatted = ModelText.Format(layers);
        Assert.StartsWith("Conv2d(1, 8, kernel_size=(3, 3), padding='same')\nBatchNorm2d(8, momentum=None)\nResidual(\n    Conv2d(8, 8, 3, padding=1, bias=False)\nshortcut:\n    Conv2d(8, 8, 1)\n)\n", formatted, StringComparison.Ordinal);
        Assert.Equal(formatted, ModelText.Format(ModelText.Parse(formatted, "again")));
    }

    [Theory]
    [InlineData("Linear(784, 10\n", "net.txt, line 1: 'Linear(784, 10' is not a layer")]
    [InlineData("Linear(784)\n", "line 1: Linear needs its argument 'out_features'")]
    [InlineData("ReLU()\nConv2d(1, 8, kernal_size=3)\n", "line 2: Conv2d has no argument 'kernal_size' (it takes in_channels, out_channels, kernel_size, stride")]
    [InlineData("relu()\n", "line 1: 'relu' is not a layer Backprop knows (did you mean ReLU?)")]
    [InlineData("Conv2d(1, 8, 3, padding='full')\n", "line 1: Conv2d 'padding' must be a number, a pair, 'same' or 'valid', not 'full'")]
    [InlineData("Residual(\n  ReLU()\n", "a Residual( block is not closed")]
    [InlineData("Linear(4, 2)\n)\n", "line 2: ')' closes no Residual( block")]
    [InlineData("Conv2d(3, 8, 3, groups=2)\n", "line 1: Conv2d cannot be built: Conv2d: channels (3 in, 8 out)")]
    [InlineData("Linear(a=1)\n", "line 1: Linear has no argument 'a'")]
    public void MistakesNameTheLineAndTheArgument(string text, string message)
    {
        var e = Assert.ThrowsAny<Exception>(() => NetworkSpec.Parse("net", text, "net.txt").Build(new Generator(0)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mlp", 235_146)]
    [InlineData("cnn", 1_199_882)]
    [InlineData("lenet5", 61_706)]
    [InlineData("resnet-mini", 77_754)]
    public void PresetsBuildWithTheShapesTheyDeclare(string name, long parameters)
    {
        var spec = ModelPresets.Resolve(name);
        var model = spec.Build(new Generator(0));
        var state = model.StateDict();
        Assert.Equal(spec.ParameterShapes().Select(p => p.Key), state.Keys);
        foreach (var (key, shape) in spec.ParameterShapes())
        {
            Assert.Equal(shape, state[key].Shape);
        }

        Assert.Equal(parameters, model.ParameterCount());
        Assert.Equal(784, spec.Inputs);
        Assert.Equal(10, spec.Outputs);
        using (Tensor.NoGrad())
        {
            Assert.Equal([3, 10], model.Eval().Forward(Tensor.Rand([3, 784], new Generator(1))).Shape);
        }
    }

    [Fact]
    public void ResidualKeysAndTheShortcutCheck()
    {
        var keys = ModelPresets.Resolve("resnet-mini").Build(new Generator(0)).StateDict().Keys.ToList();
        Assert.Contains("4.body.0.weight", keys);
        Assert.Contains("6.shortcut.1.running_var", keys);
        var mismatched = new Residual(new Sequential(new Conv2d(2, 4, 1)));
        var e = Assert.Throws<ArgumentException>(() => mismatched.Forward(Tensor.Zeros([1, 2, 3, 3])));
        Assert.Contains("the body gives [1,4,3,3] but the shortcut [1,2,3,3]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APresetsRecipeFillsInWhatTheCommandLineLeavesOut()
    {
        var (code, output) = CliRunner.Run("train", "--model", "cnn", "--limit", "128", "--epochs", "1", "--out", Path.Combine(_dir, "recipe"));
        Assert.True(code == 0, output);
        Assert.Contains("preset cnn trains with --optimizer adam --lr 0.003 --batch-size 64 --epochs 3 --augment unless told otherwise", output, StringComparison.Ordinal);
        Assert.Contains("adam lr 0.003 (cosine), cross-entropy, batch 64, 1 epochs, seed 1", output, StringComparison.Ordinal);
        Assert.Contains(", augmented", output, StringComparison.Ordinal);
        var (plainCode, plain) = CliRunner.Run("train", "--model", "cnn", "--limit", "128", "--epochs", "1", "--lr", "0.001", "--no-augment", "--out", Path.Combine(_dir, "recipe2"));
        Assert.True(plainCode == 0, plain);
        Assert.Contains("adam lr 0.001 (cosine), cross-entropy, batch 64, 1 epochs", plain, StringComparison.Ordinal);
        Assert.DoesNotContain(", augmented", plain, StringComparison.Ordinal);
        var (lenetCode, lenet) = CliRunner.Run("train", "--model", "lenet5", "--limit", "128", "--epochs", "1", "--out", Path.Combine(_dir, "recipe3"));
        Assert.True(lenetCode == 0, lenet);
        Assert.Contains("preset lenet5 trains with --optimizer adam --lr 0.002 --batch-size 64 --epochs 6 --augment unless told otherwise", lenet, StringComparison.Ordinal);
        var (bothCode, both) = CliRunner.Run("train", "--model", "cnn", "--augment", "--no-augment");
        Assert.NotEqual(0, bothCode);
        Assert.Contains("--augment and --no-augment contradict each other", both, StringComparison.Ordinal);
    }

    [Fact]
    public void AConvolutionOnFlatRowsGetsAnUnflattenInFront()
    {
        var spec = NetworkSpec.Parse("n", "Conv2d(1, 4, 3)\nFlatten()\nLinear(2704, 10)\n", "n").ForFlatInputs(784);
        Assert.Equal("Unflatten(1, (1, 28, 28))", ModelText.Format(spec.Layers).Split('\n')[0]);
        Assert.Equal(784, spec.Inputs);
        Assert.Equal("1.weight", spec.ParameterShapes().First().Key);
        var e = Assert.Throws<FormatException>(() => NetworkSpec.Parse("n", "Conv2d(3, 4, 3)\n", "n").ForFlatInputs(784));
        Assert.Contains("not 3-channel square images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainsAModelFileThatEvalExportAndExplainRebuildWithNoOptions()
    {
        var file = Path.Combine(_dir, "tiny.txt");
        File.WriteAllText(file, "Conv2d(1, 4, kernel_size=3, stride=2)\nBatchNorm2d(4)\nReLU()\nMaxPool2d(2)\nFlatten()\nLinear(144, 10)\n");
        var outDir = Path.Combine(_dir, "run");
        var (code, output) = CliRunner.Run("train", "--model", file, "--limit", "1200", "--epochs", "2", "--batch-size", "100", "--optimizer", "adam", "--lr", "0.01", "--out", outDir);
        Assert.True(code == 0, output);
        Assert.Contains("Training tiny (", output, StringComparison.Ordinal);
        Assert.Matches(@"test accuracy (6\d|7\d|8\d|9\d)\.\d\d% after 2 epochs", output);
        var saved = Backprop.IO.Safetensors.Load(Path.Combine(outDir, "model.safetensors"));
        Assert.StartsWith("Unflatten(1, (1, 28, 28))\nConv2d(1, 4, kernel_size=3, stride=2)", saved.Metadata["model"], StringComparison.Ordinal);
        Assert.Contains("2.running_mean", saved.Tensors.Keys);
        var (evalCode, evalOutput) = CliRunner.Run("eval", "--model", Path.Combine(outDir, "model.safetensors"));
        Assert.True(evalCode == 0, evalOutput);
        Assert.Contains("accuracy", evalOutput, StringComparison.Ordinal);
        var (exportCode, exportOutput) = CliRunner.Run("export", "--onnx", "--model", Path.Combine(outDir, "model.safetensors"));
        Assert.True(exportCode == 0, exportOutput);
        Assert.Contains("Wrote ", exportOutput, StringComparison.Ordinal);
        var (filtersCode, filtersOutput) = CliRunner.Run("explain", "filters", "--model", Path.Combine(outDir, "model.safetensors"), "--out", Path.Combine(_dir, "f.png"));
        Assert.True(filtersCode == 0, filtersOutput);
        Assert.Contains("the 4 filters of layer '1' (Conv2d(1, 4, kernel_size=(3, 3), stride=(2, 2))), 3×3", filtersOutput, StringComparison.Ordinal);
        using (var png = SkiaSharp.SKBitmap.Decode(Path.Combine(_dir, "f.png")))
        {
            Assert.Equal((2 * 2) + (2 * ((3 * 22) + 2)) - 2, png.Width); // 2 columns of 3 pixels enlarged 22 times, with gaps
        }

        var (mapsCode, mapsOutput) = CliRunner.Run("explain", "activations", "--model", Path.Combine(outDir, "model.safetensors"), "--index", "7", "--out", Path.Combine(_dir, "a"));
        Assert.True(mapsCode == 0, mapsOutput);
        Assert.Contains("MNIST test image 7 (label 9): predicted class", mapsOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "a-1.png")), mapsOutput);
        var mlp = CliRunner.Run("train", "--limit", "300", "--epochs", "1", "--out", Path.Combine(_dir, "mlp"));
        Assert.Equal(0, mlp.Code);
        var (noConvCode, noConvOutput) = CliRunner.Run("explain", "filters", "--model", Path.Combine(_dir, "mlp", "model.safetensors"));
        Assert.NotEqual(0, noConvCode);
        Assert.Contains("has no Conv2d layer (784,256,128,10 relu MLP)", noConvOutput, StringComparison.Ordinal);
        var (bothCode, bothOutput) = CliRunner.Run("train", "--model", "cnn", "--layers", "784,10");
        Assert.NotEqual(0, bothCode);
        Assert.Contains("--model cnn names the whole network, so --layers cannot be given with it", bothOutput, StringComparison.Ordinal);
        var (unknownCode, unknownOutput) = CliRunner.Run("train", "--model", "vgg");
        Assert.NotEqual(0, unknownCode);
        Assert.Contains("--model vgg: not a preset (mlp, cnn, lenet5, resnet-mini) and no such file", unknownOutput, StringComparison.Ordinal);
    }
}
