using Backprop.IO;
using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;
using static Backprop.Tests.IO.PyTorchOpFixtureTests;

namespace Backprop.Tests.IO;

/// <summary>
/// The layers of the convolution issue against what PyTorch 1.13 computed (Fixtures/pytorch/layers.safetensors,
/// written by make_layers.py beside it): outputs, the input and parameter gradients, running statistics, and a
/// small CNN with batch norm through three SGD steps.
/// </summary>
public class PyTorchLayerFixtureTests
{
    private static readonly StateDict Fixture =
        Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "layers.safetensors")).Tensors;

    public static TheoryData<string> Cases => new()
    {
        "conv_basic", "conv_strided", "conv_same_reflect", "conv_depthwise", "conv_replicate", "conv1d", "conv_transpose",
        "maxpool_ceil", "avgpool", "adaptive_avg", "adaptive_max", "bn2d_train", "bn2d_eval", "bn1d_train", "bn1d_seq", "layernorm", "groupnorm",
        "unfold", "fold", "upsample_nearest", "upsample_nearest_size", "upsample_bilinear", "upsample_bilinear_corners",
    };

    /// <summary>A functional op as a module, for the cases that have no parameters.</summary>
    private sealed class Fn(Func<Tensor, Tensor> fn) : Module<Tensor, Tensor>
    {
        public override Tensor Forward(Tensor input) => fn(input);
    }

    private static Module<Tensor, Tensor> Layer(string name) => name switch
    {
        "conv_basic" => new Conv2d(3, 4, 3),
        "conv_strided" => new Conv2d(4, 6, (3, 2), stride: (2, 1), padding: (1, 2), dilation: (1, 2), groups: 2),
        "conv_same_reflect" => new Conv2d(3, 5, 4, padding: "same", paddingMode: PadMode.Reflect),
        "conv_depthwise" => new Conv2d(4, 8, 3, padding: 1, groups: 4, bias: false),
        "conv_replicate" => new Conv2d(2, 3, 3, padding: 2, paddingMode: PadMode.Replicate),
        "conv1d" => new Conv1d(3, 4, 3, stride: 2, padding: 1),
        "conv_transpose" => new ConvTranspose2d(4, 3, 3, stride: 2, padding: 1, outputPadding: 1),
        "maxpool_ceil" => new MaxPool2d(2, ceilMode: true),
        "avgpool" => new AvgPool2d(3, 2, 1, countIncludePad: false),
        "adaptive_avg" => new AdaptiveAvgPool2d((3, 2)),
        "adaptive_max" => new AdaptiveMaxPool2d((2, 3)),
        "bn2d_train" or "bn2d_eval" => new BatchNorm2d(3),
        "bn1d_train" => new BatchNorm1d(4, momentum: null),
        "bn1d_seq" => new BatchNorm1d(3),
        "layernorm" => new LayerNorm([4, 5]),
        "groupnorm" => new GroupNorm(2, 6),
        "unfold" => new Fn(x => Tensor.Unfold(x, (2, 3), dilation: (1, 2), padding: 1, stride: (2, 1))),
        "fold" => new Fn(x => Tensor.Fold(x, (4, 5), 2)),
        "upsample_nearest" => new Upsample(scaleFactor: 2),
        "upsample_nearest_size" => new Upsample((5, 7)),
        "upsample_bilinear" => new Upsample((7, 5), mode: UpsampleMode.Bilinear),
        "upsample_bilinear_corners" => new Upsample(scaleFactor: 2, mode: UpsampleMode.Bilinear, alignCorners: true),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The entries NAME.PART.KEY of a fixture, keyed by KEY.</summary>
    internal static StateDict Part(StateDict fixture, string name, string part)
    {
        var prefix = $"{name}.{part}.";
        var state = new StateDict();
        foreach (var (key, t) in fixture.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            state[key[prefix.Length..]] = t;
        }

        return state;
    }

    private static StateDict Part(string name, string part) => Part(Fixture, name, part);

    [Theory]
    [MemberData(nameof(Cases))]
    public void LayerMatchesPyTorch(string name)
    {
        var layer = Layer(name);
        layer.LoadStateDict(Part(name, "p"));
        if (name.EndsWith("_eval", StringComparison.Ordinal))
        {
            layer.Eval();
        }

        var x = Fixture[name + ".x"].Clone().SetRequiresGrad();
        var output = layer.Forward(x);
        AssertClose(Fixture[name + ".out"], output, name);
        (output * Fixture[name + ".gout"]).Sum().Backward();
        AssertClose(Fixture[name + ".gx"], x.Grad!, name + " dx");
        var grads = Part(name, "g");
        foreach (var (key, p) in layer.NamedParameters())
        {
            AssertClose(grads[key], p.Grad!, $"{name} d{key}");
        }

        foreach (var (key, b) in layer.NamedBuffers())
        {
            var expected = Part(name, "after")[key];
            if (b.DType == DType.Int64)
            {
                Assert.Equal(expected.ToArray<long>(), b.ToArray<long>());
            }
            else
            {
                AssertClose(expected, b, $"{name} {key}");
            }
        }
    }

    [Fact]
    public void MaxPoolIndicesMatchPyTorch()
    {
        var x = Fixture["maxpool.x"].Clone().SetRequiresGrad();
        var (output, indices) = Tensor.MaxPool2dWithIndices(x, 3, 2, 1);
        AssertClose(Fixture["maxpool.out"], output, "maxpool");
        Assert.Equal(Fixture["maxpool.idx"].ToArray<long>(), indices.ToArray<long>());
        (output * Fixture["maxpool.gout"]).Sum().Backward();
        AssertClose(Fixture["maxpool.gx"], x.Grad!, "maxpool dx");
    }

    [Fact]
    public void SmallCnnWithBatchNormTrainsAsPyTorchDoes()
    {
        var model = new Sequential(
            new Conv2d(1, 4, 3, padding: 1), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
            new Conv2d(4, 8, 3), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(8, 3));
        model.LoadStateDict(Part("cnn", "p"));
        var x = Fixture["cnn.x"];
        var y = Fixture["cnn.y"];
        var optimizer = new SGD(model.Parameters(), learningRate: 0.1f, momentum: 0.9f);
        var loss = new CrossEntropyLoss();
        var losses = new List<float>();
        for (var step = 0; step < 3; step++)
        {
            optimizer.ZeroGrad();
            var l = loss.Forward(model.Forward(x), y);
            l.Backward();
            if (step == 0)
            {
                var grads = Part("cnn", "g");
                foreach (var (key, p) in model.NamedParameters())
                {
                    AssertClose(grads[key], p.Grad!, "cnn d" + key);
                }
            }

            optimizer.Step();
            losses.Add(l.Item());
        }

        AssertClose(Fixture["cnn.loss"], Tensor.FromArray([.. losses]), "cnn losses");
        var after = Part("cnn", "after");
        foreach (var (key, t) in model.StateDict())
        {
            if (t.DType == DType.Int64)
            {
                Assert.Equal(after[key].ToArray<long>(), t.ToArray<long>());
            }
            else
            {
                AssertClose(after[key], t, "cnn " + key);
            }
        }

        model.Eval();
        using (Tensor.NoGrad())
        {
            AssertClose(Fixture["cnn.eval"], model.Forward(x), "cnn eval");
        }
    }
}
