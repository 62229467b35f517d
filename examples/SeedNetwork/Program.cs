// The tutorial's network, trained with Backprop's autograd: input 1 → hidden 2 → output 2,
// ReLU on both layers, biases 0.1, He-scaled weights, cost ½·Σ(ŷ−y)², plain gradient descent.
using Backprop;

var generator = new Generator(20);
var wh = (Tensor.Randn([1, 2], generator) * MathF.Sqrt(2f / 1)).SetRequiresGrad();
var bh = Tensor.Full(0.1f, 1, 2).SetRequiresGrad();
var wo = (Tensor.Randn([2, 2], generator) * MathF.Sqrt(2f / 2)).SetRequiresGrad();
var bo = Tensor.Full(0.1f, 1, 2).SetRequiresGrad();
var x = Tensor.FromArray([0.5f], 1, 1);
var y = Tensor.FromArray([1f, 0.2f], 1, 2);
const float LearningRate = 0.05f;

for (var epoch = 0; epoch <= 60; epoch++)
{
    var zh = x.MatMul(wh) + bh;          // Zh = X·Wh + Bh
    var h = zh.Relu();                   // H = relu(Zh)
    var zo = h.MatMul(wo) + bo;          // Zo = H·Wo + Bo
    var yHat = zo.Relu();                // ŷ = relu(Zo)
    var cost = ((yHat - y).Pow(2f) * 0.5f).Sum();
    cost.Backward();                     // dCost/dW for every weight, by the chain rule

    if (epoch <= 1 || epoch % 5 == 0)
    {
        Console.WriteLine($"epoch {epoch,3}  cost {cost.Item():F6}");
        if (epoch <= 1)
        {
            Console.WriteLine($"  forward:  Zh = {zh}\n            H  = {h}\n            Zo = {zo}\n            ŷ  = {yHat}");
            Console.WriteLine($"  backward: dWh = {wh.Grad}\n            dBh = {bh.Grad}\n            dWo = {wo.Grad}\n            dBo = {bo.Grad}");
        }
    }

    using (Tensor.NoGrad())
    {
        foreach (var p in new[] { wh, bh, wo, bo })
        {
            p.SubInPlace(p.Grad! * LearningRate);   // W ← W − lr·dW
            p.ZeroGrad();
        }
    }
}
