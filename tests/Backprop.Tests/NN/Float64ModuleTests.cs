using Backprop.Autograd;
using Backprop.Models;
using Backprop.NN;
using Backprop.Optim;

namespace Backprop.Tests.NN;

/// <summary>
/// Whole layers in float64 (Module.To): every parameter and the input checked against finite differences, at first
/// and second order, as PyTorch users gradcheck a model after model.double().
/// </summary>
public class Float64ModuleTests
{
    private static Tensor Input(ulong seed, params int[] shape) => Tensor.Uniform(shape, -1f, 1f, new Generator(seed)).Double().SetRequiresGrad();

    /// <summary>Every case: the module (float32 as made) and a function of the input that runs it.</summary>
    private static (Module Module, Func<Tensor, Tensor> Run, Tensor Input) Case(string name)
    {
        var g = new Generator(7);
        switch (name)
        {
            case "conv2d":
                var conv = new Conv2d(2, 3, 3, stride: 2, padding: 1, generator: g);
                return (conv, x => conv.Call(x), Input(1, 2, 2, 5, 4));
            case "conv_transpose2d":
                var deconv = new ConvTranspose2d(2, 2, 3, stride: 2, padding: 1, outputPadding: 1, generator: g);
                return (deconv, x => deconv.Call(x), Input(2, 1, 2, 3, 3));
            case "batch_norm2d":
                var bn = new BatchNorm2d(2);
                return (bn, x => bn.Call(x), Input(3, 3, 2, 2, 2));
            case "lstm":
                var lstm = new LSTM(3, 2, numLayers: 2, bidirectional: true, generator: g);
                return (lstm, x => lstm.Forward(x).Output, Input(4, 3, 2, 3));
            case "gru":
                var gru = new GRU(3, 2, batchFirst: true, generator: g);
                return (gru, x => gru.Forward(x).Output, Input(5, 2, 3, 3));
            case "lstm_cell":
                var cell = new LSTMCell(3, 2, generator: g);
                return (cell, x => cell.Forward(x).C, Input(6, 2, 3));
            case "multihead_attention":
                var mha = new MultiheadAttention(4, 2, batchFirst: true, generator: g);
                return (mha, x => mha.Forward(x, x, x, Tensor.FromArray([false, false, true, false, false, false], 2, 3)).Output, Input(7, 2, 3, 4));
            case "transformer_encoder_layer":
                var layer = new TransformerEncoderLayer(4, 2, dimFeedforward: 6, dropout: 0f, activation: "gelu", batchFirst: true, generator: g);
                return (layer, x => layer.Forward(x, null, null, isCausal: true), Input(8, 2, 3, 4));
            case "rnn_relu":
                var rnn = new RNN(3, 2, numLayers: 2, nonlinearity: "relu", generator: g);
                return (rnn, x => rnn.Forward(x).Output, Input(10, 4, 2, 3));
            case "cells":
                var (gruCell, rnnCell) = (new GRUCell(3, 3, generator: g), new RNNCell(3, 2, generator: g));
                var cells = new ModuleList<Module>(gruCell, rnnCell);
                return (cells, x => rnnCell.Forward(gruCell.Forward(x)), Input(11, 2, 3));
            case "transformer_decoder_layer":
                var decoder = new TransformerDecoderLayer(4, 2, dimFeedforward: 5, dropout: 0f, batchFirst: true, normFirst: true, generator: g);
                var memory = Tensor.Uniform([2, 4, 4], -1f, 1f, new Generator(12));
                return (decoder, x => decoder.Forward(x, memory.To(x.DType), null, null, null, null, tgtIsCausal: true), Input(13, 2, 3, 4));
            case "encodings_and_pools":
                var encodings = new Sequential(new LearnedPositionalEncoding(5, 4, batchFirst: true, generator: g), new SinusoidalPositionalEncoding(4, batchFirst: true), new Unflatten(1, [1, 3]), new Conv2d(1, 2, 2, generator: g), new MaxPool2d(2, stride: 1), new AvgPool2d(1), new Flatten(), new LayerNorm(4));
                return (encodings, x => encodings.Call(x), Input(14, 2, 3, 4));
            case "gpt":
                var gpt = new Gpt(new GptConfig(VocabSize: 5, ContextLength: 4, Width: 4, Layers: 1, Heads: 2), g);
                var tokens = Tensor.FromArray([1L, 4, 0, 2, 3, 3], 2, 3);
                return (gpt, x => gpt.Forward(tokens) * x, Input(9, 2, 3, 5));
            default:
                throw new ArgumentException(name);
        }
    }

    public static TheoryData<string> Cases => ["conv2d", "conv_transpose2d", "batch_norm2d", "lstm", "gru", "lstm_cell", "multihead_attention", "transformer_encoder_layer", "gpt",
        "rnn_relu", "cells", "transformer_decoder_layer", "encodings_and_pools"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheLayerMatchesFiniteDifferencesInFloat64InEveryParameter(string name)
    {
        var (module, run, input) = Case(name);
        var float32 = run(input.Detach().Float());
        module.Double();
        Tensor[] inputs = [input, .. module.Parameters()];
        Assert.All(inputs, t => Assert.Equal(DType.Float64, t.DType));

        // The float64 layer computes what the float32 one computed.
        var output = run(input);
        Assert.Equal(DType.Float64, output.DType);
        var (a, e) = (float32.ToArray(), output.ToArray<double>());
        for (var i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - e[i]) < 1e-5, $"{name}[{i}]: float32 {a[i]}, float64 {e[i]}");
        }

        var first = GradCheck.Run(x => run(x[0]), inputs, atol: 1e-8, rtol: 1e-6);
        Assert.True(first.Passed, first.ToString());
        Assert.Equal(inputs.Sum(t => t.Numel), first.Checked);
        var second = GradCheck.RunGradGrad(x => run(x[0]), inputs, atol: 1e-7, rtol: 1e-5);
        Assert.True(second.Passed, second.ToString());
    }

    [Theory]
    [InlineData("multihead_attention")]
    [InlineData("transformer_encoder_layer")]
    [InlineData("lstm")]
    public void TheFusedFloat32LayerHasTheSecondOrderOfFloat64(string name)
    {
        var (module, run, input) = Case(name);
        var x32 = input.Detach().Float().SetRequiresGrad();
        var hv32 = InputHessianVector(run, x32);
        module.Double();
        var hv64 = InputHessianVector(run, input);
        var (a, e) = (hv32.ToArray(), hv64.ToArray<double>());
        for (var i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - e[i]) <= 1e-4 * Math.Max(1, Math.Abs(e[i])), $"{name}[{i}]: float32 {a[i]}, float64 {e[i]}");
        }
    }

    [Fact]
    public void TheFusedFloat32GptAttentionHasTheSecondOrderOfFloat64()
    {
        var (module, run, input) = Case("gpt");
        var hv32 = ParameterHessianVector(module, run, input.Detach().Float());
        module.Double();
        var hv64 = ParameterHessianVector(module, run, input.Detach());
        for (var p = 0; p < hv64.Length; p++)
        {
            var (a, e) = (hv32[p].ToArray(), hv64[p].ToArray<double>());
            for (var i = 0; i < e.Length; i++)
            {
                Assert.True(Math.Abs(a[i] - e[i]) <= 1e-4 * Math.Max(1, Math.Abs(e[i])), $"parameter {p}[{i}]: float32 {a[i]}, float64 {e[i]}");
            }
        }
    }

    /// <summary>H·v of Σ tanh(run(x)) with respect to every parameter, for fixed directions v.</summary>
    private static Tensor[] ParameterHessianVector(Module module, Func<Tensor, Tensor> run, Tensor x)
    {
        Tensor[] parameters = [.. module.Parameters()];
        var grads = Backprop.Autograd.Autograd.Grad([run(x).Tanh().Sum()], parameters, createGraph: true);
        var dot = grads.Select((g, i) => (g! * Tensor.Uniform(parameters[i].Shape, -1f, 1f, new Generator(20 + (ulong)i)).To(g!.DType)).Sum()).Aggregate((a, b) => a + b);
        return [.. Backprop.Autograd.Autograd.Grad([dot], parameters).Select(g => g!)];
    }

    /// <summary>H·v of Σ tanh(run(x)) with respect to the input, for a fixed v.</summary>
    private static Tensor InputHessianVector(Func<Tensor, Tensor> run, Tensor x)
    {
        var grad = Backprop.Autograd.Autograd.Grad([run(x).Tanh().Sum()], [x], createGraph: true)[0]!;
        var v = Tensor.Uniform(x.Shape, -1f, 1f, new Generator(10)).To(x.DType);
        return Backprop.Autograd.Autograd.Grad([(grad * v).Sum()], [x])[0]!;
    }

    [Fact]
    public void ToConvertsParametersAndFloatBuffersInPlaceAndBack()
    {
        var model = new Sequential(new Linear(3, 2, generator: new Generator(9)), new BatchNorm1d(2));
        var weight = model.Parameters().First();
        weight.Grad = Tensor.OnesLike(weight);
        var before = weight.ToArray();
        Assert.Same(model, model.Double());
        Assert.Same(weight, model.Parameters().First());
        Assert.Equal(DType.Float64, weight.DType);
        Assert.Null(weight.Grad);
        Assert.Equal(before.Select(v => (double)v), weight.ToArray<double>());
        var buffers = model.NamedBuffers().ToDictionary(b => b.Name, b => b.Buffer.DType);
        Assert.Equal(DType.Float64, buffers["1.running_mean"]);
        Assert.Equal(DType.Int64, buffers["1.num_batches_tracked"]);

        // The state dict holds float64 now; back in float32 the values are the same and an optimizer steps again.
        Assert.Equal(DType.Float64, model.StateDict()["0.weight"].DType);
        var optimizer = Assert.Throws<ArgumentException>(() => new SGD(model.Parameters(), 0.1f));
        Assert.Contains("float64", optimizer.Message, StringComparison.Ordinal);
        model.Float();
        Assert.Equal(before, weight.ToArray());
        _ = new SGD(model.Parameters(), 0.1f);
        Assert.Throws<ArgumentException>(() => model.To(DType.Int64));
    }
}
