using Backprop.IO;
using Backprop.NN;
using Backprop.Tests.Cli;
using Microsoft.ML.OnnxRuntime;

namespace Backprop.Tests.IO;

/// <summary>Exported models run in ONNX Runtime and give Backprop's outputs.</summary>
public sealed class OnnxExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] RunOnnx(string path, Tensor input)
    {
        using var session = new InferenceSession(path);
        using var value = OrtValue.CreateTensorValueFromMemory(input.ToArray(), input.Shape.Select(d => (long)d).ToArray());
        using var options = new RunOptions();
        using var results = session.Run(options, [session.InputMetadata.Keys.Single()], [value], [session.OutputMetadata.Keys.Single()]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private void AssertSameOutputs(Module<Tensor, Tensor> model, int[] inputShape, string name)
    {
        var path = Path.Combine(_dir, name + ".onnx");
        model.ExportOnnx(path, inputShape);
        model.Eval();
        foreach (var batch in new[] { 1, 5 })
        {
            var input = Tensor.Randn([batch, .. inputShape[1..]], new Generator((ulong)batch));
            float[] expected;
            using (Tensor.NoGrad())
            {
                expected = model.Forward(input).ToArray();
            }

            var actual = RunOnnx(path, input);
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"{name}, batch {batch}, element {i}: Backprop {expected[i]}, ONNX Runtime {actual[i]}");
            }
        }
    }

    public static TheoryData<string> Activations => new() { "relu", "leaky", "sigmoid", "tanh", "gelu" };

    [Theory]
    [MemberData(nameof(Activations))]
    public void EveryActivationRunsInOnnxRuntime(string activation)
    {
        var g = new Generator(3);
        Module<Tensor, Tensor> act = activation switch
        {
            "relu" => new ReLU(),
            "leaky" => new LeakyReLU(0.2f),
            "sigmoid" => new Sigmoid(),
            "tanh" => new Tanh(),
            _ => new GELU(),
        };
        AssertSameOutputs(new Sequential(new Linear(6, 8, generator: g), act, new Dropout(0.5f), new Linear(8, 3, generator: g), new Softmax(1)), [1, 6], activation);
    }

    [Fact]
    public void FlattenLogSoftmaxAndNestedSequentials()
    {
        var g = new Generator(4);
        var model = new Sequential(new Flatten(), new Sequential(new Linear(12, 5, generator: g), new ReLU()), new Linear(5, 4, bias: false, generator: g), new LogSoftmax());
        AssertSameOutputs(model, [1, 3, 4], "flatten");
    }

    [Fact]
    public void ThePyTorchFixtureModelRunsTheSame()
    {
        var model = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 6), new Tanh(), new Linear(6, 3));
        model.LoadStateDict(Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "mlp3.safetensors")).Tensors);
        AssertSameOutputs(model, [1, 4], "mlp3");
    }

    [Fact]
    public void UnsupportedLayersAndShapesAreRejectedWithoutAFile()
    {
        var path = Path.Combine(_dir, "bad.onnx");
        var ex = Assert.Throws<ArgumentException>(() => new Sequential(new Linear(4, 4), new Custom()).ExportOnnx(path, 1, 4));
        Assert.Contains("layer '1' (Custom) has no ONNX mapping", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Sequential(new Linear(4, 4)).ExportOnnx(path, 1, 5));
        Assert.Throws<ArgumentException>(() => new Sequential(new Linear(4, 4)).ExportOnnx(path, 4));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void TheExportCommandWritesAModelOnnxRuntimeAgreesWith()
    {
        var (code, output) = CliRunner.Run("train", "--limit", "500", "--epochs", "1", "--optimizer", "adam", "--lr", "0.003", "--out", _dir);
        Assert.True(code == 0, output);
        var onnx = Path.Combine(_dir, "model.onnx");
        var export = CliRunner.Run("export", "--onnx", "--model", Path.Combine(_dir, "model.safetensors"), "--out", onnx);
        Assert.True(export.Code == 0, export.Output);
        Assert.Contains("opset 20", export.Output, StringComparison.Ordinal);
        var model = Backprop.Cli.Models.ModelFile.Load(Path.Combine(_dir, "model.safetensors"), null, null).Model;
        var input = Tensor.Rand([3, 784], new Generator(9));
        using (Tensor.NoGrad())
        {
            var expected = model.Forward(input).ToArray();
            var actual = RunOnnx(onnx, input);
            Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5));
        }

        Assert.NotEqual(0, CliRunner.Run("export", "--model", onnx).Code);
    }

    private sealed class Custom : Module<Tensor, Tensor>
    {
        public override Tensor Forward(Tensor input) => input;
    }

    public static TheoryData<string> Presets => new() { "mlp", "cnn", "lenet5", "resnet-mini" };

    [Theory]
    [MemberData(nameof(Presets))]
    public void EveryPresetRunsInOnnxRuntime(string preset)
    {
        var model = Backprop.Cli.Models.ModelPresets.Resolve(preset).Build(new Generator(4));

        // A few training steps' worth of running statistics, so that batch norm's inference form is not the identity.
        using (Tensor.NoGrad())
        {
            model.Forward(Tensor.Randn([8, 784], new Generator(5)) * 2f + 0.5f);
        }

        AssertSameOutputs(model, [1, 784], preset);
    }

    [Fact]
    public void ConvolutionPoolingAndNormalizationLayersRunInOnnxRuntime()
    {
        var g = new Generator(6);
        var groupNorm = new GroupNorm(2, 4);
        using (Tensor.NoGrad())
        {
            groupNorm.Weight!.CopyFrom(Tensor.Uniform([4], 0.5f, 1.5f, g));
            groupNorm.Bias!.CopyFrom(Tensor.Uniform([4], -0.5f, 0.5f, g));
        }

        var model = new Sequential(
            new Conv2d(3, 6, (3, 2), stride: (2, 1), padding: (1, 0), dilation: (1, 2), groups: 3, generator: g),
            new BatchNorm2d(6),
            new Conv2d(6, 6, 3, padding: "same", paddingMode: PadMode.Reflect, generator: g),
            new Conv2d(6, 4, 3, padding: 1, paddingMode: PadMode.Replicate, bias: false, generator: g),
            new ConvTranspose2d(4, 4, 3, stride: 2, padding: 1, outputPadding: 1, generator: g),
            new Dropout2d(0.3f),
            new MaxPool2d(3, 2, 1, ceilMode: true),
            new AvgPool2d(2, 1, 1, countIncludePad: false),
            new Upsample(scaleFactor: 2, mode: UpsampleMode.Bilinear),
            new Upsample((12, 12), mode: UpsampleMode.Bilinear, alignCorners: true),
            new Upsample((16, 18)),
            new AdaptiveMaxPool2d((4, 3)),
            new Residual(new Sequential(new Conv2d(4, 4, 1, generator: g), new LayerNorm([4, 4, 3]))),
            new GroupNorm(1, 4, affine: false),
            groupNorm,
            new AdaptiveAvgPool2d(1),
            new Flatten(),
            new Unflatten(1, [4, 1]),
            new Conv1d(4, 5, 1, generator: g),
            new Flatten(),
            new Linear(5, 3, generator: g));
        using (Tensor.NoGrad())
        {
            model.Forward(Tensor.Randn([4, 3, 11, 12], new Generator(7)));
        }

        AssertSameOutputs(model, [1, 3, 11, 12], "layers");
        var noStats = new Sequential(new BatchNorm2d(3, trackRunningStats: false));
        var e = Assert.Throws<ArgumentException>(() => noStats.ExportOnnx(Path.Combine(_dir, "bad.onnx"), 1, 3, 4, 4));
        Assert.Contains("layer '0' (BatchNorm2d without running statistics)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GptPresetGivesTheSameLogitsInOnnxRuntime()
    {
        var model = new Backprop.Models.Gpt(new Backprop.Models.GptConfig(11, ContextLength: 8, Width: 16, Layers: 2, Heads: 2), new Generator(3));
        var path = Path.Combine(_dir, "gpt.onnx");
        model.ExportOnnx(path, 1, 6);
        using var session = new InferenceSession(path);
        foreach (var batch in new[] { 1, 3 })
        {
            var ids = Enumerable.Range(0, batch * 6).Select(i => (long)((i * 7) % 11)).ToArray();
            float[] expected;
            using (Tensor.NoGrad())
            {
                expected = model.Forward(Tensor.FromArray(ids, batch, 6)).ToArray();
            }

            using var value = OrtValue.CreateTensorValueFromMemory(ids, [batch, 6]);
            using var options = new RunOptions();
            using var results = session.Run(options, ["input"], [value], [session.OutputMetadata.Keys.Single()]);
            var actual = results[0].GetTensorDataAsSpan<float>().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4 * Math.Max(1, Math.Abs(p.First)), $"{p.First} vs {p.Second}"));
        }

        var error = Assert.Throws<ArgumentException>(() => model.ExportOnnx(Path.Combine(_dir, "long.onnx"), 1, 9));
        Assert.Contains("at most its context length 8", error.Message);
    }
}
