using Backprop.IO;
using Backprop.NN.Losses;

namespace Backprop.Tests.IO;

/// <summary>
/// The ops with a float64 path against what PyTorch 1.13 computed in float64 (Fixtures/pytorch/ops64.safetensors,
/// written by make_ops64.py beside it): outputs, and the input gradients of sum(out · gout), within 1e-10 relative.
/// </summary>
public class PyTorchFloat64OpFixtureTests
{
    private static readonly Backprop.NN.StateDict Fixture =
        Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "ops64.safetensors")).Tensors;

    private static readonly Tensor Classes = Tensor.FromArray([2L, 0, 3, 1, 3]);

    public static TheoryData<string> Cases =>
    [
        "add", "sub", "mul", "div", "scalars", "exp", "log", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tanh", "sigmoid", "silu",
        "relu", "abs", "pow3", "clamp", "sum1", "mean_dims", "var1", "norm_dims", "softmax1", "log_softmax0", "matmul",
        "matmul_batched", "dot", "linear", "mse", "smooth_l1", "cross_entropy", "cross_entropy_weight", "cat_narrow", "where",
        "gelu", "erf", "leaky_relu", "elu", "softplus", "log1p", "expm1", "maximum", "max_dim", "sort", "topk", "cumsum", "prod",
        "layer_norm", "group_norm", "batch_norm", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
        "attention", "bce_logits", "embedding", "smooth_l1_beta", "huber_delta", "cross_entropy_smooth", "leaky_relu_module",
    ];

    private static Tensor Apply(string name, Tensor x, Tensor? y, Tensor? z) => name switch
    {
        "add" => x + y!,
        "sub" => x - y!,
        "mul" => x * y!,
        "div" => x / y!,
        "scalars" => (((x * 0.3) + 1.7) / 2.5) - 0.1,
        "exp" => x.Exp(),
        "log" => x.Log(),
        "sqrt" => x.Sqrt(),
        "rsqrt" => x.Rsqrt(),
        "reciprocal" => x.Reciprocal(),
        "sin" => x.Sin(),
        "cos" => x.Cos(),
        "tanh" => x.Tanh(),
        "sigmoid" => x.Sigmoid(),
        "silu" => x.Silu(),
        "relu" => x.Relu(),
        "abs" => x.Abs(),
        "pow3" => x.Pow(3f),
        "clamp" => x.Clamp(-0.5, 0.7),
        "sum1" => x.Sum(1),
        "mean_dims" => x.Mean([0, 2], keepDim: true),
        "var1" => x.Var(1),
        "norm_dims" => x.Norm(2f, [1, 2]),
        "softmax1" => x.Softmax(1),
        "log_softmax0" => x.LogSoftmax(0),
        "matmul" or "matmul_batched" or "dot" => x.MatMul(y!),
        "linear" => Tensor.Linear(x, y!, null),
        "mse" => new MSELoss().Forward(x, y!),
        "smooth_l1" => new SmoothL1Loss(beta: 0.5f).Forward(x, y!),
        "cross_entropy" => new CrossEntropyLoss(labelSmoothing: 0.125f).Forward(x, Classes),
        "cross_entropy_weight" => new CrossEntropyLoss(weight: Tensor.FromArray([0.5f, 1f, 2f, 1.5f]), ignoreIndex: 3).Forward(x, Classes),
        "cat_narrow" => Tensor.Cat([x.Narrow(1, 1, 2), y!.Flip(0)], 1),
        "where" => Tensor.Where(x.Gt(0.0), x, y!),
        "gelu" => x.Gelu(),
        "erf" => x.Erf(),
        "leaky_relu" => x.LeakyRelu(0.125f),
        "elu" => x.Elu(0.75f),
        "softplus" => x.Softplus(2f, 1f),
        "log1p" => x.Log1p(),
        "expm1" => x.Expm1(),
        "maximum" => Tensor.Maximum(x, y!),
        "max_dim" => x.Max(1),
        "sort" => x.Sort(1, descending: true).Values,
        "topk" => x.TopK(2, 0).Values,
        "cumsum" => x.CumSum(1),
        "prod" => x.Prod(0),
        "layer_norm" => Tensor.LayerNorm(x, [4], y, z),
        "group_norm" => Tensor.GroupNorm(x, 2, y, z),
        "batch_norm" => Tensor.BatchNorm(x, null, null, y, z, training: true),
        "conv2d" => Tensor.Conv2d(x, y!, z, stride: 2, padding: 1, groups: 2),
        "conv_transpose2d" => Tensor.ConvTranspose2d(x, y!, z, stride: 2, padding: 1, outputPadding: 1, groups: 2),
        "max_pool2d" => Tensor.MaxPool2d(x, 3, stride: 2, padding: 1, ceilMode: true),
        "avg_pool2d" => Tensor.AvgPool2d(x, 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false),
        "adaptive_avg_pool2d" => Tensor.AdaptiveAvgPool2d(x, (3, 2)),
        "attention" => Tensor.ScaledDotProductAttention(x, y!, z!, isCausal: true, scale: 0.5),
        "bce_logits" => Tensor.BinaryCrossEntropyWithLogits(x - 1.0, y! * 0.5),
        "embedding" => Tensor.Embedding(Tensor.FromArray([2L, 1, 0, 2, 3, 1], 2, 3), x),
        "smooth_l1_beta" => new SmoothL1Loss(beta: 0.3).Forward(x, y!),
        "huber_delta" => new HuberLoss(delta: 0.7).Forward(x, y!),
        "cross_entropy_smooth" => new CrossEntropyLoss(labelSmoothing: 0.1).Forward(x, Classes),
        "leaky_relu_module" => new Backprop.NN.LeakyReLU(0.03).Forward(x),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchInFloat64(string name)
    {
        var x = Fixture[name + ".x"].Clone().SetRequiresGrad();
        var y = Fixture.TryGetValue(name + ".y", out var yv) ? yv.Clone().SetRequiresGrad() : null;
        var z = Fixture.TryGetValue(name + ".z", out var zv) ? zv.Clone().SetRequiresGrad() : null;
        Assert.Equal(DType.Float64, x.DType);
        var output = Apply(name, x, y, z);
        AssertClose(name + ".out", output);
        (output * Fixture[name + ".gout"]).Sum().Backward();
        AssertClose(name + ".gx", x.Grad);
        if (y is not null)
        {
            AssertClose(name + ".gy", y.Grad);
        }

        if (z is not null)
        {
            AssertClose(name + ".gz", z.Grad);
        }
    }

    private static void AssertClose(string key, Tensor? actual) => Float64Assert.Close(Fixture[key], actual, 1e-10, key);
}
