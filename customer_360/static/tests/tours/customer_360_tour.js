// tours of customer_360
